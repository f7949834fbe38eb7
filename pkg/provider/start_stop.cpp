// SPDX-License-Identifier: MIT
// `start` and `stop`: idempotent; start blocks until SSH answers, stop works without MACHINE_FOLDER and, as
// DevPod's auto-stop hook in the machine, without Dokploy (self_stop.hpp).
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>

#include "pkg/core/errors.hpp"
#include "pkg/core/timestamp.hpp"
#include "pkg/provider/commands.hpp"
#include "pkg/provider/machine_keys.hpp"
#include "pkg/provider/machine_recovery.hpp"
#include "pkg/provider/readiness.hpp"
#include "pkg/provider/self_stop.hpp"

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

namespace {

// Stops the machine through Dokploy. False when Dokploy does not know it.
bool stop_through_dokploy(const core::EnvLookup& env) {
    auto ctx = load_machine_context(env, FolderNeed::optional);
    auto& client = ctx.session.client();
    const auto ref = find_machine(client, ctx.session.options(), ctx.machine_id);
    const auto compose = ref ? client.find_compose(ref->compose.compose_id) : std::nullopt;
    if (!compose) {
        spdlog::info("machine {} does not exist; nothing to stop", ctx.machine_id);
        return false;
    }
    if (compose->compose_status == "idle") {
        spdlog::info("{} is already stopped", compose->name);
        return true;
    }
    client.stop_compose(compose->compose_id);
    spdlog::info("stopped {}", compose->name);
    return true;
}

// The options as DevPod's agent passes them in the machine: the laptop's. A DOKPLOY_CA_FILE that does not
// exist here is the laptop's file; without it, HTTPS to a private CA fails and the machine stops itself.
core::EnvLookup as_seen_in_the_machine(const core::EnvLookup& env) {
    return [env](std::string_view name) -> std::optional<std::string> {
        auto value = env(name);
        std::error_code ec;
        if (name == "DOKPLOY_CA_FILE" && value && !std::filesystem::exists(*value, ec)) {
            spdlog::info("DOKPLOY_CA_FILE {} is not in the machine (a path on your computer); using the system CAs",
                         *value);
            return std::nullopt;
        }
        return value;
    };
}

}  // namespace

int run_stop(const core::EnvLookup& env, StopOrigin origin) {
    if (origin == StopOrigin::devpod) {
        (void)stop_through_dokploy(env);
        return 0;
    }
    // DevPod's auto-stop hook, in the machine: Dokploy first (it then shows the service as stopped); when it
    // cannot be reached from here, refuses, or does not know the machine, the machine stops itself.
    std::string why;
    try {
        if (stop_through_dokploy(as_seen_in_the_machine(env))) {
            return 0;
        }
        why = "Dokploy does not know this machine";
    } catch (const core::Error& error) {
        why = error.what();
    }
    spdlog::warn("could not stop the machine through Dokploy ({}); stopping it from inside", why);
    stop_machine_from_inside();
    return 0;
}

}  // namespace dokploy_provider::provider
