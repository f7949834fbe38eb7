// SPDX-License-Identifier: MIT
// `create`: find or make the machine's compose service, give it a free SSH port and the machine's keys,
// deploy, and wait until SSH answers with the pinned host key. Idempotent; rolls back what it created.
#include <spdlog/spdlog.h>

#include <chrono>
#include <set>

#include "pkg/core/errors.hpp"
#include "pkg/core/file_lock.hpp"
#include "pkg/core/timestamp.hpp"
#include "pkg/provider/commands.hpp"
#include "pkg/provider/compose_ports.hpp"
#include "pkg/provider/machine_context.hpp"
#include "pkg/provider/machine_keys.hpp"
#include "pkg/provider/machine_locator.hpp"
#include "pkg/provider/port_claim.hpp"
#include "pkg/provider/readiness.hpp"
#include "pkg/provider/workspace_template.hpp"

namespace dokploy_provider::provider {
namespace {

constexpr int k_max_port_attempts = 5;

// Undoes what a failed create made, unless dismissed: the state file, and the compose service this run
// created. Armed before compose.create is sent, so that a service whose creation answer was lost (reset,
// cut-off body) is found by name and removed too. Runs during unwinding: its own failures are logged.
class Rollback {
public:
    explicit Rollback(MachineContext& ctx) : m_ctx(ctx) {}
    Rollback(const Rollback&) = delete;
    Rollback& operator=(const Rollback&) = delete;
    ~Rollback() {
        if (m_dismissed) {
            return;
        }
        std::error_code ec;
        std::filesystem::remove(m_ctx.paths->state_file(), ec);
        if (m_compose_id.empty() && !m_by_name) {
            return;
        }
        try {
            auto& client = m_ctx.session.client();
            if (m_compose_id.empty()) {
                const auto found = find_machine(client, m_ctx.session.options(), m_ctx.machine_id);
                if (!found) {
                    return;
                }
                m_compose_id = found->compose.compose_id;
            }
            client.delete_compose(m_compose_id, true);
            spdlog::info("removed the compose service {} this create made", m_compose_id);
        } catch (const std::exception& e) {
            spdlog::error("could not remove the compose service of {} ({}): {}; delete it in Dokploy",
                          m_ctx.machine_id, m_compose_id.empty() ? "id unknown" : m_compose_id, e.what());
        }
    }
    // compose.create is about to be sent: on failure, remove whatever service of the machine's name exists.
    void expect_new_service() { m_by_name = true; }
    // This run created `compose_id`: on failure, remove it.
    void own(const std::string& compose_id) {
        m_compose_id = compose_id;
        m_by_name = false;
    }
    // The service in use is not this run's to remove.
    void disown() {
        m_compose_id.clear();
        m_by_name = false;
    }
    void dismiss() { m_dismissed = true; }

private:
    MachineContext& m_ctx;
    std::string m_compose_id;
    bool m_by_name = false;
    bool m_dismissed = false;
};

// The compose service a create works on.
struct Target {
    dokploy::Compose compose;
    WorkspaceHome home;
};

Target find_or_create_service(MachineContext& ctx, Rollback& rollback) {
    auto& client = ctx.session.client();
    const auto& options = ctx.session.options();
    if (const auto existing = find_machine(client, options, ctx.machine_id)) {
        const auto compose = client.find_compose(existing->compose.compose_id);
        if (compose) {
            spdlog::info("reusing the existing compose service {} ({})", compose->name, compose->compose_id);
            return {*compose, existing->home};
        }
    }
    const auto home = ensure_home(client, options);
    dokploy::NewCompose spec;
    spec.name = service_name(ctx.machine_id);
    spec.description = "DevPod machine " + ctx.machine_id + " (managed by dokploy-provider)";
    spec.environment_id = home.environment_id;
    spec.project_id = home.project_id;
    spec.server_id = options.server_id;
    rollback.expect_new_service();
    auto compose = client.create_compose(spec);
    rollback.own(compose.compose_id);
    spdlog::info("created compose service {} ({})", compose.name, compose.compose_id);
    // Two creates of the same machine may race: the oldest service of that name wins, the other is removed.
    const auto winner = find_machine(client, options, ctx.machine_id);
    if (winner && winner->compose.compose_id != compose.compose_id) {
        spdlog::info("a concurrent create made {} first; using it", winner->compose.compose_id);
        client.delete_compose(compose.compose_id, true);
        rollback.disown();
        const auto kept = client.find_compose(winner->compose.compose_id);
        if (!kept) {
            throw core::Error("the compose service of " + ctx.machine_id + " disappeared during create; run create again");
        }
        return {*kept, winner->home};
    }
    return {std::move(compose), home};
}

// The port already in our compose file, when it is within the configured range.
std::optional<int> current_port(const dokploy::Compose& compose, const PortRange& range) {
    for (const int port : published_host_ports(compose.compose_file)) {
        if (port >= range.low && port <= range.high) {
            return port;
        }
    }
    return std::nullopt;
}

std::string deploy_title() {
    return "devpod create " + core::format_iso8601(std::chrono::system_clock::now());
}

// Saves the compose file with `port` and deploys it; returns the outcome of waiting for readiness.
WaitOutcome deploy_with_port(MachineContext& ctx, Target& target, const WorkspaceKeys& keys, const std::string& ssh_host,
                             int port, std::chrono::steady_clock::time_point deadline) {
    auto& client = ctx.session.client();
    const auto& options = ctx.session.options();
    WorkspaceSpec spec{ctx.machine_id, options.workspace_image, port, keys.authorized_keys, keys.host_key_base64,
                       options.machine_cpus, options.machine_memory};
    const auto compose_file = render_compose_file(spec);
    MachineState state{ctx.machine_id, target.compose.compose_id, target.compose.app_name, target.home.project_id,
                       target.home.environment_id, ssh_host, port, "root",
                       core::format_iso8601(std::chrono::system_clock::now())};
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

    const PortClaimant us{target.compose.created_at, target.compose.compose_id};
    if (lost_port_race(client, options.server_id.value_or(""), port, us)) {
        return {false, "port " + std::to_string(port) + " was claimed by an older service at the same time", true};
    }
    write_machine_state(*ctx.paths, state);

    const auto title = deploy_title();
    spdlog::info("deploying {} with SSH on {}:{}", target.compose.name, ssh_host, port);
    client.deploy_compose(target.compose.compose_id, title);
    const ReadinessTarget readiness{target.compose.compose_id, target.compose.name, endpoint,
                                    machine_credentials(*ctx.paths), title, options.create_timeout};
    const auto left = std::chrono::duration_cast<core::Millis>(deadline - std::chrono::steady_clock::now());
    return wait_until_ready(client, ctx.session.sleeper(), readiness, std::max(left, core::Millis(0)));
}

void create_machine(MachineContext& ctx, Target& target, const WorkspaceKeys& keys, const std::string& ssh_host) {
    const auto deadline = std::chrono::steady_clock::now() + ctx.session.options().create_timeout;
    std::set<int> excluded;
    auto port = current_port(target.compose, ctx.session.options().ssh_port_range);
    for (int attempt = 1;; ++attempt) {
        if (!port) {
            port = choose_port(ctx.session.client(), ctx.session.options(), ctx.machine_id, ssh_host,
                               target.compose.compose_id, excluded);
        }
        const auto outcome = deploy_with_port(ctx, target, keys, ssh_host, *port, deadline);
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

}  // namespace

int run_create(const core::EnvLookup& env) {
    auto ctx = load_machine_context(env, FolderNeed::required);
    // Everything that can be checked locally or read-only comes before the first change in Dokploy.
    prepare_machine_folder(*ctx.paths);
    // One create per machine at a time on this computer: a second one waits, then finds and reuses the first's.
    const core::FileLock lock(ctx.paths->create_lock(), [&] {
        spdlog::info("another create of {} is running; waiting for it to finish", ctx.machine_id);
    });
    const auto keys = ensure_machine_keys(*ctx.paths);
    const auto ssh_host = resolve_ssh_host(ctx.session);  // checks DOKPLOY_SERVER_ID
    Rollback rollback(ctx);
    auto target = find_or_create_service(ctx, rollback);
    create_machine(ctx, target, keys, ssh_host);
    rollback.dismiss();
    return 0;
}

}  // namespace dokploy_provider::provider
