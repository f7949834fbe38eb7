// SPDX-License-Identifier: MIT
#include <memory>

#include "cmd/app.hpp"
#include "pkg/provider/commands.hpp"

namespace dokploy_provider::cmd {

void register_stop(CLI::App& app, AppContext& context) {
    auto* sub = app.add_subcommand("stop", "Stop the machine (works without MACHINE_FOLDER, e.g. from inside the machine)");
    auto from_machine = std::make_shared<bool>(false);  // lives as long as the callback that reads it
    sub->add_flag("--from-machine", *from_machine,
                  "Run by DevPod's auto-stop hook inside the machine: when Dokploy cannot stop it from there, the "
                  "machine stops itself");
    sub->callback([&context, from_machine] {
        const auto origin = *from_machine ? provider::StopOrigin::machine : provider::StopOrigin::devpod;
        context.exit_code = provider::run_stop(context.env, origin);
    });
}

}  // namespace dokploy_provider::cmd
