// SPDX-License-Identifier: MIT
// `delete`: removes the machine's compose service with its volumes, and proves it is gone. A missing machine
// is success; another DevPod's machine of the same name is refused.
#include <spdlog/spdlog.h>

#include <filesystem>
#include <optional>
#include <set>

#include "pkg/core/errors.hpp"
#include "pkg/core/file_lock.hpp"
#include "pkg/provider/commands.hpp"
#include "pkg/provider/machine_context.hpp"
#include "pkg/provider/machine_recovery.hpp"
#include "pkg/provider/shared_ssh.hpp"

namespace dokploy_provider::provider {
namespace {

// Stops a deployed service before deleting it: Dokploy v0.28.8 left containers and volumes running after
// compose.delete (Dokploy#4064). A failure here only costs that protection.
void stop_first(dokploy::Client& client, const dokploy::Compose& compose) {
    if (compose.compose_status != "done") {
        return;
    }
    try {
        client.stop_compose(compose.compose_id);
    } catch (const core::Error& error) {
        spdlog::warn("could not stop {} before deleting it: {}", compose.name, error.what());
    }
}

}  // namespace

int run_delete(const core::EnvLookup& env) {
    auto ctx = load_machine_context(env, FolderNeed::optional);
    end_shared_connection(env);
    // Never while a create of this machine runs on this computer: it would finish a machine DevPod believes
    // deleted. Wait for it, then delete what it made.
    std::optional<core::FileLock> lock;
    if (ctx.paths) {
        lock.emplace(ctx.paths->create_lock(), [&] {
            spdlog::info("a create of {} is running; waiting for it to finish before deleting", ctx.machine_id);
        });
    }
    ctx.session.limit_api_time();  // after waiting for a create: the bound is on delete's own requests
    auto& client = ctx.session.client();
    // Without a state file, the service is searched by name, and racing creates on other computers can leave
    // more than one of that name: delete all of ours, each verified gone by its id.
    std::set<std::string> deleted;
    while (const auto found = find_own_machine(ctx, OwnerCheck::refuse)) {
        const auto& compose = found->compose;
        if (deleted.contains(compose.compose_id)) {
            throw core::Error("Dokploy still lists " + compose.name + " (" + compose.compose_id +
                              ") after deleting it; delete it in Dokploy");
        }
        stop_first(client, compose);
        client.delete_compose(compose.compose_id, true);
        if (client.find_compose(compose.compose_id)) {
            throw core::Error("Dokploy answered compose.delete of " + compose.name + " (" + compose.compose_id +
                              ") with success, but the service is still there; delete it in Dokploy (its "
                              "containers and volumes may remain too)");
        }
        deleted.insert(compose.compose_id);
        spdlog::info("deleted {} ({}) and its volumes", compose.name, compose.compose_id);
        if (found->by_state_file) {
            break;  // the state file names the one service of this machine; no search
        }
    }
    if (deleted.empty()) {
        spdlog::info("machine {} does not exist; nothing to delete", ctx.machine_id);
    }
    if (ctx.paths) {
        std::error_code ec;
        std::filesystem::remove(ctx.paths->state_file(), ec);
    }
    return 0;
}

}  // namespace dokploy_provider::provider
