// SPDX-License-Identifier: MIT
#pragma once

#include <CLI/CLI.hpp>

#include <memory>

#include "pkg/core/env.hpp"

namespace dokploy_provider::cmd {

// What subcommand callbacks share: the environment they read options from and the exit code they set.
struct AppContext {
    core::EnvLookup env;
    int exit_code = 0;
    bool verbose = false;  // --verbose; logging was already configured from argv before parsing
    bool ssh_failures_exit_255 = false;  // set by `command`: its SSH failures exit 255, like OpenSSH's ssh
    bool empty_options_on_failure = false;  // set by `options`: a failure prints no sub options and exits 0
};

// Builds the command line: global flags plus every subcommand, registered in help order.
[[nodiscard]] std::unique_ptr<CLI::App> build_app(AppContext& context);

// One per subcommand file.
void register_init(CLI::App& app, AppContext& context);
void register_create(CLI::App& app, AppContext& context);
void register_delete(CLI::App& app, AppContext& context);
void register_start(CLI::App& app, AppContext& context);
void register_stop(CLI::App& app, AppContext& context);
void register_status(CLI::App& app, AppContext& context);
void register_command(CLI::App& app, AppContext& context);
void register_version(CLI::App& app, AppContext& context);
void register_options(CLI::App& app, AppContext& context);
void register_ssh_master(CLI::App& app, AppContext& context);

}  // namespace dokploy_provider::cmd
