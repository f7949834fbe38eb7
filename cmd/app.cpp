// SPDX-License-Identifier: MIT
#include "cmd/app.hpp"

namespace dokploy_provider::cmd {

std::unique_ptr<CLI::App> build_app(AppContext& context) {
    auto app = std::make_unique<CLI::App>(
        "DevPod machine provider for Dokploy: runs Docker-in-Docker dev machines on your Dokploy server.\n"
        "DevPod passes every option as an environment variable (see README.md).",
        "dokploy-provider");
    app->set_help_all_flag("--help-all", "Show help for every subcommand");
    app->add_flag("-v,--verbose", context.verbose, "Debug logs on stderr (also enabled by DEVPOD_DEBUG=true)");
    app->require_subcommand(1);
    app->fallthrough();

    register_init(*app, context);
    register_create(*app, context);
    register_delete(*app, context);
    register_start(*app, context);
    register_stop(*app, context);
    register_status(*app, context);
    register_command(*app, context);
    register_version(*app, context);
    register_options(*app, context);
    register_ssh_master(*app, context);
    return app;
}

}  // namespace dokploy_provider::cmd
