// SPDX-License-Identifier: MIT
#include "cmd/app.hpp"
#include "pkg/provider/commands.hpp"

namespace dokploy_provider::cmd {

void register_status(CLI::App& app, AppContext& context) {
    auto* sub = app.add_subcommand("status", "Print the machine state on stdout: Running, Busy, Stopped or NotFound");
    sub->callback([&context] { context.exit_code = provider::run_status(context.env); });
}

}  // namespace dokploy_provider::cmd
