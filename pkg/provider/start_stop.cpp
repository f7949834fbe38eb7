// SPDX-License-Identifier: MIT
// `start` and `stop`: idempotent; start blocks until SSH answers, stop works without MACHINE_FOLDER and, as
// DevPod's auto-stop hook in the machine, without Dokploy (self_stop.hpp).
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>

#include "pkg/core/errors.hpp"
#include "pkg/core/timestamp.hpp"
#include "pkg/provider/commands.hpp"
#include "pkg/provider/deploy_log.hpp"
#include "pkg/provider/deployment.hpp"
#include "pkg/provider/machine_keys.hpp"
#include "pkg/provider/machine_recovery.hpp"
#include "pkg/provider/readiness.hpp"
#include "pkg/provider/self_stop.hpp"
#include "pkg/provider/shared_ssh.hpp"

namespace dokploy_provider::provider {
namespace {

std::string now_iso() { return core::format_iso8601(std::chrono::system_clock::now()); }

// A port taken while the machine was stopped (DevPod only starts a stopped machine, so this would fail every
// time): deploy it on another free port, as create does, with the same keys, so the pinned host key stays.
int move_to_another_port(MachineContext& ctx, FoundMachine& found, const MachineState& state) {
    spdlog::warn("port {} of {} is taken now; moving the machine to another port", state.ssh_port, found.compose.name);
    const auto keys = ensure_machine_keys(*ctx.paths);  // the machine's own keys
    DeployTarget target{std::move(found.compose), found.ref.home};
    deploy_until_ready(ctx, target, keys, state.ssh_host, "devpod start", {state.ssh_port});
    return 0;
}

}  // namespace

int run_start(const core::EnvLookup& env) {
    auto ctx = load_machine_context(env, FolderNeed::required);
    auto& client = ctx.session.client();
    auto found = find_own_machine(ctx, OwnerCheck::refuse);
    if (!found) {
        throw core::Error("machine " + ctx.machine_id + " does not exist in Dokploy; run `devpod up` to create it");
    }
    if (!machine_keys_present(*ctx.paths)) {
        throw core::Error("the SSH keys of machine " + ctx.machine_id + " are missing from MACHINE_FOLDER " +
                          ctx.paths->folder.string() + "; delete the machine and create it again");
    }
    const auto& compose = found->compose;
    auto state = known_state(ctx, found->ref, compose);
    // Options DevPod lets users change on a machine (image, CPUs, memory, GPUs), or a newer provider's
    // template: the service is deployed again with what they ask for, with the same keys, port and volumes.
    const auto keys = ensure_machine_keys(*ctx.paths);  // the machine's own keys
    if (render_machine_compose(ctx, keys, state.ssh_port) != compose.compose_file) {
        spdlog::info("{} runs another compose file than its options ask for now; deploying it again with the same "
                     "keys, port and volumes",
                     compose.name);
        DeployTarget target{found->compose, found->ref.home};
        deploy_until_ready(ctx, target, keys, state.ssh_host, "devpod start", {});
        return 0;
    }
    std::optional<std::string> title;
    if (compose.compose_status == "error") {
        // The containers may not exist after a failed deploy: deploy again rather than start.
        title = "devpod start " + now_iso();
        spdlog::info("the last deploy of {} failed; deploying it again", compose.name);
        client.deploy_compose(compose.compose_id, *title);
    } else {
        spdlog::info("starting {}", compose.name);
        try {
            client.start_compose(compose.compose_id);
        } catch (const core::ApiError& error) {
            if (!is_port_conflict(error.what())) {
                throw;
            }
            return move_to_another_port(ctx, *found, state);
        }
    }
    state.last_start_at = now_iso();
    write_machine_state(*ctx.paths, state);

    const ReadinessTarget target{compose.compose_id, compose.name, {state.ssh_host, state.ssh_port, state.ssh_user},
                                 machine_credentials(*ctx.paths), title, ctx.session.options().create_timeout,
                                 compose.app_name, ctx.session.options().server_id};
    const auto outcome = wait_until_ready(client, ctx.session.sleeper(), target, ctx.session.options().create_timeout);
    if (outcome.port_conflict) {
        return move_to_another_port(ctx, *found, state);
    }
    if (!outcome.ready) {
        throw core::Error(outcome.failure);
    }
    return 0;
}

namespace {

// Stops the machine through Dokploy. False when Dokploy does not know it.
bool stop_through_dokploy(const core::EnvLookup& env, OwnerCheck check) {
    auto ctx = load_machine_context(env, FolderNeed::optional);
    ctx.session.limit_api_time();
    auto& client = ctx.session.client();
    const auto found = find_own_machine(ctx, check);
    if (!found) {
        spdlog::info("machine {} does not exist; nothing to stop", ctx.machine_id);
        return false;
    }
    const auto& compose = found->compose;
    if (compose.compose_status == "idle") {
        spdlog::info("{} is already stopped", compose.name);
        return true;
    }
    client.stop_compose(compose.compose_id);
    spdlog::info("stopped {}", compose.name);
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
        end_shared_connection(env);
        (void)stop_through_dokploy(env, OwnerCheck::refuse);
        return 0;
    }
    // DevPod's auto-stop hook, in the machine: Dokploy first (it then shows the service as stopped); when it
    // cannot be reached from here, refuses, or does not know the machine, the machine stops itself.
    std::string why;
    try {
        // In the machine itself: the machine is its own (and its keys are not there to prove it).
        if (stop_through_dokploy(as_seen_in_the_machine(env), OwnerCheck::skip)) {
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
