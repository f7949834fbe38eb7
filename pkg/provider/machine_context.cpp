// SPDX-License-Identifier: MIT
#include "pkg/provider/machine_context.hpp"

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
    return {Session(std::move(options)), std::move(machine_id), std::move(paths)};
}

std::string resolve_ssh_host(Session& session) {
    const auto& options = session.options();
    if (options.ssh_host) {
        return *options.ssh_host;
    }
    if (options.server_id) {
        const auto server = session.client().find_server(*options.server_id);
        if (!server) {
            throw core::ConfigError("DOKPLOY_SERVER_ID '" + *options.server_id + "' is not a server of " +
                                    options.server_url.host + "; pick one from Dokploy's Remote Servers page");
        }
        if (server->ip_address.empty()) {
            throw core::ConfigError("the Dokploy server '" + server->name +
                                    "' has no IP address; set DOKPLOY_SSH_HOST to the host its ports are reached on");
        }
        return server->ip_address;
    }
    return options.server_url.host;
}

}  // namespace dokploy_provider::provider
