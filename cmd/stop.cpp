// SPDX-License-Identifier: MIT
#include "cmd/app.hpp"
#include "pkg/provider/commands.hpp"

namespace dokploy_provider::cmd {

void register_stop(CLI::App& app, AppContext& context) {
    auto* sub = app.add_subcommand("stop", "Stop the machine (works without MACHINE_FOLDER, e.g. from inside the machine)");
    sub->callback([&context] { context.exit_code = provider::run_stop(context.env); });
}

}  // namespace dokploy_provider::cmd
