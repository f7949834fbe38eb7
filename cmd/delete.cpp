// SPDX-License-Identifier: MIT
#include "cmd/app.hpp"
#include "pkg/provider/commands.hpp"

namespace dokploy_provider::cmd {

void register_delete(CLI::App& app, AppContext& context) {
    auto* sub = app.add_subcommand("delete", "Delete the machine and its volumes; deleting a missing machine succeeds");
    sub->callback([&context] { context.exit_code = provider::run_delete(context.env); });
}

}  // namespace dokploy_provider::cmd
