// SPDX-License-Identifier: MIT
#include "pkg/provider/deployment.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <optional>

#include "pkg/core/errors.hpp"
#include "pkg/core/timestamp.hpp"
#include "pkg/provider/compose_ports.hpp"
#include "pkg/provider/port_claim.hpp"
#include "pkg/provider/readiness.hpp"
#include "pkg/provider/workspace_template.hpp"

namespace dokploy_provider::provider {
namespace {

constexpr int k_max_port_attempts = 5;

// The port already in our compose file, when it is within the configured range.
std::optional<int> current_port(const dokploy::Compose& compose, const PortRange& range) {
    const auto port = published_ssh_port(compose.compose_file);
    return port && *port >= range.low && *port <= range.high ? port : std::nullopt;
}

std::string deploy_title(std::string_view prefix) {
    return std::string(prefix) + " " + core::format_iso8601(std::chrono::system_clock::now());
}

// Saves the compose file with `port` and deploys it; returns the outcome of waiting for readiness.
WaitOutcome deploy_with_port(MachineContext& ctx, DeployTarget& target, const WorkspaceKeys& keys,
                             const std::string& ssh_host, int port, std::string_view title_prefix,
                             std::chrono::steady_clock::time_point deadline) {
    auto& client = ctx.session.client();
    const auto& options = ctx.session.options();
    const auto compose_file = render_machine_compose(ctx, keys, port);
    const auto state =
        with_known_layout(ctx.session, {ctx.machine_id, target.compose.compose_id, target.compose.app_name,
                                        target.home.project_id, target.home.environment_id, ssh_host, port, "root",
                                        core::format_iso8601(std::chrono::system_clock::now()), std::nullopt});
    const ssh::Endpoint endpoint{ssh_host, port, "root"};
    // Re-running create on a machine that already runs exactly this file and answers SSH changes nothing.
    if (compose_file == target.compose.compose_file && target.compose.compose_status == "done" &&
        target.compose.source_type == "raw" &&
        ssh::probe_ssh(endpoint, machine_credentials(*ctx.paths), core::Millis(5'000)) == ssh::ProbeResult::ready) {
        write_machine_state(*ctx.paths, state);
        spdlog::info("{} is already deployed and answers SSH on {}:{}", target.compose.name, ssh_host, port);
        return {true, {}, false};
    }
    dokploy::ComposeUpdate update;
    update.compose_file = compose_file;
    update.source_type = "raw";
    client.update_compose(target.compose.compose_id, update);
    target.compose.compose_file = compose_file;
    write_machine_state(*ctx.paths, state);

    const auto title = deploy_title(title_prefix);
    spdlog::info("deploying {} with SSH on {}:{}", target.compose.name, ssh_host, port);
    client.deploy_compose(target.compose.compose_id, title);
    const ReadinessTarget readiness{
        target.compose.compose_id, target.compose.name,     endpoint,         machine_credentials(*ctx.paths), title,
        options.create_timeout,    target.compose.app_name, options.server_id};
    const auto left = std::chrono::duration_cast<core::Millis>(deadline - std::chrono::steady_clock::now());
    return wait_until_ready(client, ctx.session.sleeper(), readiness, std::max(left, core::Millis(0)));
}

}  // namespace

std::string render_machine_compose(const MachineContext& ctx, const WorkspaceKeys& keys, int port) {
    const auto& options = ctx.session.options();
    return render_compose_file({ctx.machine_id, options.workspace_image, port, keys.authorized_keys,
                                keys.host_key_base64, options.machine_cpus, options.machine_memory,
                                options.machine_gpus});
}

void deploy_until_ready(MachineContext& ctx, DeployTarget& target, const WorkspaceKeys& keys,
                        const std::string& ssh_host, std::string_view title_prefix, std::set<int> excluded) {
    const auto deadline = std::chrono::steady_clock::now() + ctx.session.options().create_timeout;
    auto port = current_port(target.compose, ctx.session.options().ssh_port_range);
    if (port && excluded.contains(*port)) {
        port.reset();
    }
    for (int attempt = 1;; ++attempt) {
        if (!port) {
            port = choose_port(ctx.session.options(), ctx.machine_id, ssh_host, excluded);
        }
        const auto outcome = deploy_with_port(ctx, target, keys, ssh_host, *port, title_prefix, deadline);
        if (outcome.ready) {
            return;
        }
        if (!outcome.port_conflict || attempt == k_max_port_attempts) {
            throw core::Error(outcome.failure);
        }
        spdlog::warn("{}; trying another port", outcome.failure);
        excluded.insert(*port);
        port.reset();
    }
}

}  // namespace dokploy_provider::provider
