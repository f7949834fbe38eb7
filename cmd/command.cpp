// SPDX-License-Identifier: MIT
#include "cmd/app.hpp"
#include "pkg/provider/commands.hpp"

namespace dokploy_provider::cmd {

void register_command(CLI::App& app, AppContext& context) {
    auto* sub = app.add_subcommand("command", "Run COMMAND on the machine over SSH, tunnelling stdin/stdout byte for byte");
    sub->callback([&context] {
        context.ssh_failures_exit_255 = true;
        context.exit_code = provider::run_command(context.env);
    });
}

}  // namespace dokploy_provider::cmd
