// SPDX-License-Identifier: MIT
// `options`: DevPod's subOptionsCommand. Once the URL and the token are known, offers the Dokploy's servers as
// the choices of DOKPLOY_SERVER_ID and its projects and environments as suggestions (sub_options.hpp).
#include <spdlog/spdlog.h>

#include <iostream>

#include "pkg/provider/commands.hpp"
#include "pkg/provider/session.hpp"
#include "pkg/provider/sub_options.hpp"

namespace dokploy_provider::provider {

int run_options(const core::EnvLookup& env) {
    Session session(load_options(env));
    session.limit_api_time();  // DevPod waits for it while adding the provider
    auto& client = session.client();
    const auto servers = client.servers();
    const auto projects = client.projects();
    std::cout << render_sub_options(servers, projects) << std::flush;
    spdlog::debug("offered {} server(s) and {} project(s) as choices", servers.size(), projects.size());
    return 0;
}

}  // namespace dokploy_provider::provider
