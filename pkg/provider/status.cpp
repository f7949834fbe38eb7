// SPDX-License-Identifier: MIT
// `status`: one DevPod state word on stdout. Failures to find out are errors (exit 1), never NotFound.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <iostream>

#include "pkg/core/timestamp.hpp"
#include "pkg/provider/commands.hpp"
#include "pkg/provider/machine_recovery.hpp"
#include "pkg/provider/status_logic.hpp"
#include "pkg/provider/tcp_probe.hpp"

namespace dokploy_provider::provider {
namespace {

constexpr core::Millis k_probe_timeout{5'000};

// Whether the machine's SSH server answers: a TCP connection and SSH's greeting, no login. A bare TCP connect
// would not do: Docker's userland proxy (and rootless Docker's port driver) accepts connections on a published
// port before sshd listens in the container. Neither the pinned host key nor the client key is checked here:
// the service is this DevPod's (its compose file authorizes our key) and Dokploy deployed it on this port, and
// `command` (like create and start) refuses any other host key before sending anything. `early` is the probe
// started before the API request, when it went to the same address.
bool ssh_ready(std::optional<SshGreetingProbe>& early, const MachineState& state) {
    if (early && early->host() == state.ssh_host && early->port() == state.ssh_port) {
        return early->answers(k_probe_timeout);
    }
    return ssh_banner_answers(state.ssh_host, state.ssh_port, k_probe_timeout);
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
    spdlog::debug("{}: {} container(s), {}", compose.name, containers->size(),
                  exited ? "none running" : "some running");
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
    if (const auto& state = ctx.saved_state; state && state->compose_id == compose.compose_id) {
        consider(state->last_start_at);
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
    // With a state file the SSH address is known before Dokploy answers: the connection to it and SSH's
    // greeting overlap the API request (with TLS: 1 round trip TCP, 1 TLS 1.3, 1 the request).
    std::optional<SshGreetingProbe> early;
    if (const auto& state = ctx.saved_state; state && state->machine_id == ctx.machine_id) {
        early.emplace(state->ssh_host, state->ssh_port);
    }
    StatusFacts facts;
    facts.create_timeout = ctx.session.options().create_timeout;
    // Another DevPod's machine of the same name does not exist for this one (create then says whose it is).
    if (const auto found = find_own_machine(ctx, OwnerCheck::not_found)) {
        const auto& compose = found->compose;
        facts.compose_status = compose.compose_status;
        const auto& status = compose.compose_status;
        if (status == "done") {
            facts.ssh_ready = ssh_ready(early, known_state(ctx, found->ref, compose));
            facts.containers_exited = !facts.ssh_ready && containers_exited(ctx, compose);
        }
        if ((status == "done" && !facts.ssh_ready) || status == "running") {
            facts.since_last_start = since_last_start(ctx, compose);
        }
    }
    const auto word = status_word(decide_status(facts));
    spdlog::debug("machine {}: composeStatus {}, status {}", ctx.machine_id, facts.compose_status.value_or("none"),
                  word);
    std::cout << word << std::endl;
    return 0;
}

}  // namespace dokploy_provider::provider
