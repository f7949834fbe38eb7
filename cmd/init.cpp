// SPDX-License-Identifier: MIT
#include "cmd/app.hpp"
#include "pkg/log/logging.hpp"
#include "pkg/provider/commands.hpp"

namespace dokploy_provider::cmd {

void register_init(CLI::App& app, AppContext& context) {
    auto* sub = app.add_subcommand("init", "Check the options and the Dokploy server (read-only); DevPod runs it when the provider is added");
    sub->callback([&context] {
        log::progress_to_stdout();  // DevPod shows init's stderr as errors: a success must not land there
        context.exit_code = provider::run_init(context.env);
    });
}

}  // namespace dokploy_provider::cmd
