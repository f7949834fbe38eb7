// SPDX-License-Identifier: MIT
// `status`: one DevPod state word on stdout. Failures to find out are errors (exit 1), never NotFound.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <iostream>

#include "pkg/core/timestamp.hpp"
#include "pkg/provider/commands.hpp"
#include "pkg/provider/machine_keys.hpp"
#include "pkg/provider/machine_recovery.hpp"
#include "pkg/provider/status_logic.hpp"
#include "pkg/provider/tcp_probe.hpp"

namespace dokploy_provider::provider {
namespace {

constexpr core::Millis k_probe_timeout{5'000};

// Whether SSH answers: with the pinned host key and client key when MACHINE_FOLDER has them, else (inside
// the machine, where the keys are absent) whether an SSH server greets us at all.
bool ssh_ready(MachineContext& ctx, const MachineState& state) {
    const ssh::Endpoint endpoint{state.ssh_host, state.ssh_port, state.ssh_user};
    if (!ctx.paths || !machine_keys_present(*ctx.paths)) {
        spdlog::debug("no machine keys at hand; checking only that SSH greets on {}:{}", state.ssh_host, state.ssh_port);
        return ssh_banner_answers(state.ssh_host, state.ssh_port, k_probe_timeout);
    }
    switch (ssh::probe_ssh(endpoint, machine_credentials(*ctx.paths), k_probe_timeout)) {
        case ssh::ProbeResult::ready:
            return true;
        case ssh::ProbeResult::host_key_mismatch:
            throw ssh::HostKeyMismatch(state.ssh_host + ":" + std::to_string(state.ssh_port));
        case ssh::ProbeResult::auth_refused:
            spdlog::debug("SSH on {}:{} refused the machine's key (still starting?)", state.ssh_host, state.ssh_port);
            return false;
        case ssh::ProbeResult::unreachable:
            return false;
    }
    return false;
}

bool is_docker_state(std::string_view state) {
    for (const auto known : {"created", "running", "paused", "restarting", "removing", "exited", "dead"}) {
        if (state == known) {
            return true;
        }
    }
    return false;
}

// True when Dokploy lists the service's containers and none of them runs: the machine stopped itself (its
// entrypoint exits on `stop --from-machine`) while Dokploy still says "done". An empty list or a Dokploy
// without docker.getContainersByAppNameMatch tells nothing.
bool containers_exited(MachineContext& ctx, const dokploy::Compose& compose) {
    auto containers = ctx.session.client().containers(
        compose.app_name, compose.server_id.empty() ? std::nullopt : std::optional<std::string>(compose.server_id));
    if (!containers) {
        return false;
    }
    // Dokploy turns a line it cannot parse into {"state": "No state", ...}: only Docker's states tell.
    std::erase_if(*containers, [](const dokploy::Container& c) { return !is_docker_state(c.state); });
    if (containers->empty()) {
        return false;
    }
    const bool exited = std::none_of(containers->begin(), containers->end(), [](const dokploy::Container& c) {
        return c.state == "running" || c.state == "restarting" || c.state == "paused";
    });
    spdlog::debug("{}: {} container(s), {}", compose.name, containers->size(), exited ? "none running" : "some running");
    return exited;
}

// Time since the machine was last deployed or started: the newest of the state file's record, Dokploy's
// deployment list and the service's creation.
core::Millis since_last_start(MachineContext& ctx, const dokploy::Compose& compose) {
    std::optional<core::TimePoint> latest = core::parse_iso8601(compose.created_at);
    const auto consider = [&](const std::string& text) {
        if (const auto time = core::parse_iso8601(text); time && (!latest || *time > *latest)) {
            latest = time;
        }
    };
    if (ctx.paths) {
        if (const auto state = read_machine_state(*ctx.paths); state && state->compose_id == compose.compose_id) {
            consider(state->last_start_at);
        }
    }
    for (const auto& deployment : ctx.session.client().deployments(compose.compose_id)) {
        consider(deployment.created_at);
    }
    if (!latest) {
        return core::Millis(0);
    }
    return std::chrono::duration_cast<core::Millis>(std::chrono::system_clock::now() - *latest);
}

}  // namespace

int run_status(const core::EnvLookup& env) {
    auto ctx = load_machine_context(env, FolderNeed::optional);
    ctx.session.limit_api_time();  // DevPod waits for status with no timeout of its own
    StatusFacts facts;
    facts.create_timeout = ctx.session.options().create_timeout;
    // Another DevPod's machine of the same name does not exist for this one (create then says whose it is).
    if (const auto found = find_own_machine(ctx, OwnerCheck::not_found)) {
        const auto& compose = found->compose;
        facts.compose_status = compose.compose_status;
        const auto& status = compose.compose_status;
        if (status == "done") {
            facts.ssh_ready = ssh_ready(ctx, known_state(ctx, found->ref, compose));
            facts.containers_exited = !facts.ssh_ready && containers_exited(ctx, compose);
        }
        if ((status == "done" && !facts.ssh_ready) || status == "running") {
            facts.since_last_start = since_last_start(ctx, compose);
        }
    }
    const auto word = status_word(decide_status(facts));
    spdlog::debug("machine {}: composeStatus {}, status {}", ctx.machine_id, facts.compose_status.value_or("none"), word);
    std::cout << word << std::endl;
    return 0;
}

}  // namespace dokploy_provider::provider
