// SPDX-License-Identifier: MIT
// `create`: find or make the machine's compose service, give it a free SSH port and the machine's keys,
// deploy, and wait until SSH answers with the pinned host key. Idempotent; rolls back what it created.
#include <spdlog/spdlog.h>

#include <filesystem>
#include <optional>

#include "pkg/core/errors.hpp"
#include "pkg/core/file_lock.hpp"
#include "pkg/core/files.hpp"
#include "pkg/provider/commands.hpp"
#include "pkg/provider/deployment.hpp"
#include "pkg/provider/machine_context.hpp"
#include "pkg/provider/machine_keys.hpp"
#include "pkg/provider/machine_locator.hpp"
#include "pkg/provider/machine_recovery.hpp"
#include "pkg/provider/ownership.hpp"
#include "pkg/provider/shared_ssh.hpp"

namespace dokploy_provider::provider {
namespace {

// Undoes what a failed create made, and only that, unless dismissed: the state file goes back to what it
// was before this run (a failed re-run of create on a running machine keeps its state), and the compose
// service this run created is removed. Armed before compose.create is sent, so that a service whose creation
// answer was lost (reset, cut-off body) is found by name and removed too, if it is still unclaimed (no compose
// file: never another DevPod's). Runs during unwinding: its own failures are logged.
class Rollback {
public:
    explicit Rollback(MachineContext& ctx) : m_ctx(ctx) {
        std::error_code ec;
        if (std::filesystem::exists(m_ctx.paths->state_file(), ec)) {
            m_previous_state = core::read_file(m_ctx.paths->state_file());
        }
    }
    Rollback(const Rollback&) = delete;
    Rollback& operator=(const Rollback&) = delete;
    ~Rollback() {
        if (m_dismissed) {
            return;
        }
        restore_state_file();
        if (m_compose_id.empty() && !m_by_name) {
            return;
        }
        try {
            auto& client = m_ctx.session.client();
            if (m_compose_id.empty()) {
                m_compose_id = unclaimed_service_of_our_name();  // what a compose.create with a lost answer made
                if (m_compose_id.empty()) {
                    return;
                }
            }
            client.delete_compose(m_compose_id, true);
            spdlog::info("removed the compose service {} this create made", m_compose_id);
        } catch (const std::exception& e) {
            spdlog::error("could not remove the compose service of {} ({}): {}; delete it in Dokploy", m_ctx.machine_id,
                          m_compose_id.empty() ? "id unknown" : m_compose_id, e.what());
        }
    }
    // compose.create is about to be sent: on failure, remove the unclaimed service of the machine's name.
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
    void restore_state_file() noexcept {
        try {
            if (m_previous_state) {
                core::write_file_atomically(m_ctx.paths->state_file(), *m_previous_state, core::FileMode::owner_only);
            } else {
                std::error_code ec;
                std::filesystem::remove(m_ctx.paths->state_file(), ec);
            }
        } catch (const std::exception& e) {
            spdlog::error("could not restore the machine state file: {}", e.what());
        }
    }
    std::string unclaimed_service_of_our_name() {
        auto& client = m_ctx.session.client();
        const auto found = find_machine(client, m_ctx.session.options(), m_ctx.machine_id);
        const auto compose = found ? client.find_compose(found->compose.compose_id) : std::nullopt;
        return compose && ownership_of(compose->compose_file, "") == Ownership::unclaimed ? compose->compose_id : "";
    }

    MachineContext& m_ctx;
    std::optional<std::string> m_previous_state;
    std::string m_compose_id;
    bool m_by_name = false;
    bool m_dismissed = false;
};

DeployTarget find_or_create_service(MachineContext& ctx, Rollback& rollback) {
    auto& client = ctx.session.client();
    const auto& options = ctx.session.options();
    // Only a service of ours is reused (a re-run, a lost state file); another DevPod's is refused.
    if (auto existing = find_own_machine(ctx, OwnerCheck::refuse, StaleState::search)) {
        spdlog::info("reusing the existing compose service {} ({})", existing->compose.name,
                     existing->compose.compose_id);
        return {std::move(existing->compose), existing->ref.home};
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
    // Creates of one machine name race only across DevPods (on one computer the create lock orders them): the
    // oldest service of that name wins; a younger one of ours is removed and the machine is another's.
    const auto winner = find_machine(client, options, ctx.machine_id);
    if (winner && winner->compose.compose_id != compose.compose_id) {
        spdlog::info("a concurrent create made {} first", winner->compose.compose_id);
        client.delete_compose(compose.compose_id, true);
        rollback.disown();
        auto kept = client.find_compose(winner->compose.compose_id);
        const auto key = read_client_public_key(*ctx.paths);
        if (kept && key && ownership_of(kept->compose_file, *key) == Ownership::ours) {
            return {std::move(*kept), winner->home};  // a MACHINE_FOLDER shared between computers
        }
        throw core::Error(not_ours_message(service_name(ctx.machine_id), options.project_name));
    }
    return {std::move(compose), home};
}

}  // namespace

int run_create(const core::EnvLookup& env) {
    auto ctx = load_machine_context(env, FolderNeed::required);
    warn_if_unencrypted(ctx.session.options());
    // Everything that can be checked locally or read-only comes before the first change in Dokploy.
    prepare_machine_folder(*ctx.paths);
    end_shared_connection(env);  // a re-run may move the machine to another port
    // One create per machine at a time on this computer: a second one waits, then finds and reuses the first's.
    const core::FileLock lock(ctx.paths->create_lock(), [&] {
        spdlog::info("another create of {} is running; waiting for it to finish", ctx.machine_id);
    });
    const auto keys = ensure_machine_keys(*ctx.paths);
    const auto ssh_host = resolve_ssh_host(ctx.session);  // checks DOKPLOY_SERVER_ID
    Rollback rollback(ctx);
    auto target = find_or_create_service(ctx, rollback);
    deploy_until_ready(ctx, target, keys, ssh_host, "devpod create", {});
    rollback.dismiss();
    return 0;
}

}  // namespace dokploy_provider::provider
