// SPDX-License-Identifier: MIT
#include "cmd/app.hpp"
#include "pkg/provider/commands.hpp"

namespace dokploy_provider::cmd {

void register_start(CLI::App& app, AppContext& context) {
    auto* sub = app.add_subcommand("start", "Start a stopped machine and wait until SSH answers");
    sub->callback([&context] { context.exit_code = provider::run_start(context.env); });
}

}  // namespace dokploy_provider::cmd
