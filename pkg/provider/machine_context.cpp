// SPDX-License-Identifier: MIT
#include "pkg/provider/machine_context.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "pkg/core/errors.hpp"
#include "pkg/provider/options.hpp"

namespace dokploy_provider::provider {

MachineContext load_machine_context(const core::EnvLookup& env, FolderNeed folder) {
    auto options = load_options(env);
    auto machine_id = load_machine_id(env);
    std::optional<MachinePaths> paths;
    if (folder == FolderNeed::required) {
        paths = MachinePaths{load_machine_folder(env)};
    } else if (env("MACHINE_FOLDER")) {
        const MachinePaths candidate{load_machine_folder(env)};
        std::error_code ec;
        if (std::filesystem::is_directory(candidate.folder, ec)) {
            paths = candidate;
        }
    }
    std::optional<MachineState> saved_state;
    if (paths) {
        try {
            saved_state = read_machine_state(*paths);
        } catch (const core::Error& error) {
            spdlog::debug("{}", error.what());
        }
    }
    MachineContext ctx{Session(std::move(options)), std::move(machine_id), std::move(paths), std::move(saved_state)};
    if (ctx.saved_state && ctx.saved_state->api_layout) {
        ctx.session.client().assume_layout(*ctx.saved_state->api_layout);
    }
    return ctx;
}

MachineState with_known_layout(Session& session, MachineState state) {
    if (const auto layout = session.client().known_layout()) {
        state.api_layout = layout;
    }
    return state;
}

dokploy::Server configured_server(Session& session, const std::string& server_id) {
    auto server = session.client().find_server(server_id);
    if (!server) {
        // Only Dokploy can tell, so requests were sent: a failure (1), not a usage error (2).
        throw core::Error("DOKPLOY_SERVER_ID '" + server_id + "' is not a server of " +
                          session.options().server_url.host + "; pick an id from Dokploy's Remote Servers page");
    }
    return *server;
}

std::string resolve_ssh_host(Session& session) {
    const auto& options = session.options();
    if (options.ssh_host) {
        return *options.ssh_host;
    }
    if (options.server_id) {
        const auto server = configured_server(session, *options.server_id);
        if (server.ip_address.empty()) {
            throw core::Error("the Dokploy server '" + server.name +
                              "' has no IP address; set DOKPLOY_SSH_HOST to the host its ports are reached on");
        }
        return server.ip_address;
    }
    return options.server_url.host;
}

}  // namespace dokploy_provider::provider
