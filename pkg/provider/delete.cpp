// SPDX-License-Identifier: MIT
// `delete`: removes the machine's compose service with its volumes. A missing machine is success.
#include <spdlog/spdlog.h>

#include <filesystem>

#include "pkg/provider/commands.hpp"
#include "pkg/provider/machine_context.hpp"
#include "pkg/provider/machine_locator.hpp"

namespace dokploy_provider::provider {
namespace {

// Racing creates can leave more than one service of the machine's name; delete removes them all.
constexpr int k_max_services = 8;

}  // namespace

int run_delete(const core::EnvLookup& env) {
    auto ctx = load_machine_context(env, FolderNeed::optional);
    auto& client = ctx.session.client();
    int deleted = 0;
    while (deleted < k_max_services) {
        const auto ref = find_machine(client, ctx.session.options(), ctx.machine_id);
        if (!ref) {
            break;
        }
        client.delete_compose(ref->compose.compose_id, true);
        spdlog::info("deleted {} ({}) and its volumes", ref->compose.name, ref->compose.compose_id);
        ++deleted;
    }
    if (deleted == 0) {
        spdlog::info("machine {} does not exist; nothing to delete", ctx.machine_id);
    }
    if (ctx.paths) {
        std::error_code ec;
        std::filesystem::remove(ctx.paths->state_file(), ec);
    }
    return 0;
}

}  // namespace dokploy_provider::provider
