// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>

#include "pkg/core/env.hpp"
#include "pkg/provider/machine_state.hpp"
#include "pkg/provider/session.hpp"

namespace dokploy_provider::provider {

// What every machine subcommand starts from: validated options, a Dokploy session, MACHINE_ID and, when
// DevPod gave one that exists, MACHINE_FOLDER (absent when the agent runs `stop` inside the machine).
struct MachineContext {
    Session session;
    std::string machine_id;
    std::optional<MachinePaths> paths;
};

enum class FolderNeed { required, optional };

// Loads options, MACHINE_ID and MACHINE_FOLDER. Throws core::ConfigError (exit 2) before any request.
[[nodiscard]] MachineContext load_machine_context(const core::EnvLookup& env, FolderNeed folder);

// The remote server DOKPLOY_SERVER_ID names. Throws core::Error (exit 1: requests were sent) when Dokploy
// does not know it.
[[nodiscard]] dokploy::Server configured_server(Session& session, const std::string& server_id);

// The host the machine's SSH port is reached on: DOKPLOY_SSH_HOST, else the remote server's IP when
// DOKPLOY_SERVER_ID is set, else the host of DOKPLOY_SERVER_URL.
[[nodiscard]] std::string resolve_ssh_host(Session& session);

}  // namespace dokploy_provider::provider
