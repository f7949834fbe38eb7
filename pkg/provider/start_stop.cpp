// SPDX-License-Identifier: MIT
// `start` and `stop`: idempotent; start blocks until SSH answers, stop works without MACHINE_FOLDER.
#include <spdlog/spdlog.h>

#include <chrono>

#include "pkg/core/errors.hpp"
#include "pkg/core/timestamp.hpp"
#include "pkg/provider/commands.hpp"
#include "pkg/provider/machine_keys.hpp"
#include "pkg/provider/machine_recovery.hpp"
#include "pkg/provider/readiness.hpp"

namespace dokploy_provider::provider {
namespace {

std::string now_iso() { return core::format_iso8601(std::chrono::system_clock::now()); }

}  // namespace

int run_start(const core::EnvLookup& env) {
    auto ctx = load_machine_context(env, FolderNeed::required);
    auto& client = ctx.session.client();
    const auto ref = find_machine(client, ctx.session.options(), ctx.machine_id);
    const auto compose = ref ? client.find_compose(ref->compose.compose_id) : std::nullopt;
    if (!compose) {
        throw core::Error("machine " + ctx.machine_id + " does not exist in Dokploy; run `devpod up` to create it");
    }
    if (!machine_keys_present(*ctx.paths)) {
        throw core::Error("the SSH keys of machine " + ctx.machine_id + " are missing from MACHINE_FOLDER " +
                          ctx.paths->folder.string() + "; delete the machine and create it again");
    }
    auto state = known_state(ctx, *ref, *compose);
    std::optional<std::string> title;
    if (compose->compose_status == "error") {
        // The containers may not exist after a failed deploy: deploy again rather than start.
        title = "devpod start " + now_iso();
        spdlog::info("the last deploy of {} failed; deploying it again", compose->name);
        client.deploy_compose(compose->compose_id, *title);
    } else {
        spdlog::info("starting {}", compose->name);
        client.start_compose(compose->compose_id);
    }
    state.last_start_at = now_iso();
    write_machine_state(*ctx.paths, state);

    const ReadinessTarget target{compose->compose_id, compose->name, {state.ssh_host, state.ssh_port, state.ssh_user},
                                 machine_credentials(*ctx.paths), title, ctx.session.options().create_timeout};
    const auto outcome = wait_until_ready(client, ctx.session.sleeper(), target, ctx.session.options().create_timeout);
    if (!outcome.ready) {
        throw core::Error(outcome.failure);
    }
    return 0;
}

int run_stop(const core::EnvLookup& env) {
    auto ctx = load_machine_context(env, FolderNeed::optional);
    auto& client = ctx.session.client();
    const auto ref = find_machine(client, ctx.session.options(), ctx.machine_id);
    if (!ref) {
        spdlog::info("machine {} does not exist; nothing to stop", ctx.machine_id);
        return 0;
    }
    const auto compose = client.find_compose(ref->compose.compose_id);
    if (!compose) {
        spdlog::info("machine {} does not exist; nothing to stop", ctx.machine_id);
        return 0;
    }
    if (compose->compose_status == "idle") {
        spdlog::info("{} is already stopped", compose->name);
        return 0;
    }
    client.stop_compose(compose->compose_id);
    spdlog::info("stopped {}", compose->name);
    return 0;
}

}  // namespace dokploy_provider::provider
