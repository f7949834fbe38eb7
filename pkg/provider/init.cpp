// SPDX-License-Identifier: MIT
// `init`: read-only checks of the options and the Dokploy server; one summary line (on stdout: see
// log::progress_to_stdout).
#include <spdlog/spdlog.h>

#include <algorithm>

#include "pkg/provider/commands.hpp"
#include "pkg/provider/machine_context.hpp"
#include "pkg/provider/session.hpp"

namespace dokploy_provider::provider {
namespace {

std::string layout_name(dokploy::ApiLayout layout) {
    return layout == dokploy::ApiLayout::environments ? "projects with environments" : "legacy projects (v0.22)";
}

// Where workspaces will go, and whether that project/environment exists yet.
std::string placement(Session& session) {
    const auto& options = session.options();
    const auto projects = session.client().projects();
    const auto project = std::find_if(projects.begin(), projects.end(),
                                      [&](const dokploy::Project& p) { return p.name == options.project_name; });
    std::string where = "project '" + options.project_name + "'";
    if (session.client().layout() == dokploy::ApiLayout::environments) {
        where += " / environment '" + options.environment_name + "'";
    }
    return where + (project == projects.end() ? " (created on first create)" : "");
}

}  // namespace

int run_init(const core::EnvLookup& env) {
    Session session(load_options(env));
    session.limit_api_time();
    auto& client = session.client();
    const auto& options = session.options();
    warn_if_unencrypted(options);
    const auto version = client.version();  // authenticated: proves the token, unlike settings.health
    const auto layout = client.layout();
    std::string server = "the Dokploy host";
    if (options.server_id) {
        const auto found = configured_server(session, *options.server_id);
        server = "server '" + found.name + "' (" + found.ip_address + ")";
    }
    spdlog::info("Dokploy {} at {} accepted the token ({}); workspaces go to {} on {}", version.text,
                 options.server_url.to_string(), layout_name(layout), placement(session), server);
    return 0;
}

}  // namespace dokploy_provider::provider
