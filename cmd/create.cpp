// SPDX-License-Identifier: MIT
#include "cmd/app.hpp"
#include "pkg/provider/commands.hpp"

namespace dokploy_provider::cmd {

void register_create(CLI::App& app, AppContext& context) {
    auto* sub = app.add_subcommand("create", "Create the machine (MACHINE_ID) and wait until SSH answers");
    sub->callback([&context] { context.exit_code = provider::run_create(context.env); });
}

}  // namespace dokploy_provider::cmd
