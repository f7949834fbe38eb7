// SPDX-License-Identifier: MIT
#include "cmd/app.hpp"
#include "pkg/provider/commands.hpp"

namespace dokploy_provider::cmd {

void register_options(CLI::App& app, AppContext& context) {
    auto* sub = app.add_subcommand("options", "Print DevPod sub options: the Dokploy's servers, projects and "
                                              "environments as choices (the manifest's subOptionsCommand)");
    sub->callback([&context] {
        context.empty_options_on_failure = true;
        context.exit_code = provider::run_options(context.env);
    });
}

}  // namespace dokploy_provider::cmd
