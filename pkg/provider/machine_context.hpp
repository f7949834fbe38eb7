// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>

#include "pkg/core/env.hpp"
#include "pkg/provider/machine_state.hpp"
#include "pkg/provider/session.hpp"

namespace dokploy_provider::provider {

// What every machine subcommand starts from: validated options, a Dokploy session, MACHINE_ID and, when
// DevPod gave one that exists, MACHINE_FOLDER (absent when the agent runs `stop` inside the machine) and the
// state file in it as it was when the subcommand started.
struct MachineContext {
    Session session;
    std::string machine_id;
    std::optional<MachinePaths> paths;
    std::optional<MachineState> saved_state;  // absent without a folder, a file, or with a corrupt file
};

enum class FolderNeed { required, optional };

// Loads options, MACHINE_ID, MACHINE_FOLDER and its state file; the client takes the API layout the state file
// remembers. Throws core::ConfigError (exit 2) before any request. A corrupt state file is left for the code
// that needs it to report (create replaces it).
[[nodiscard]] MachineContext load_machine_context(const core::EnvLookup& env, FolderNeed folder);

// `state` with the API layout the session's client knows now, for writing it to the state file.
[[nodiscard]] MachineState with_known_layout(Session& session, MachineState state);

// The remote server DOKPLOY_SERVER_ID names. Throws core::Error (exit 1: requests were sent) when Dokploy
// does not know it.
[[nodiscard]] dokploy::Server configured_server(Session& session, const std::string& server_id);

// The host the machine's SSH port is reached on: DOKPLOY_SSH_HOST, else the remote server's IP when
// DOKPLOY_SERVER_ID is set, else the host of DOKPLOY_SERVER_URL.
[[nodiscard]] std::string resolve_ssh_host(Session& session);

}  // namespace dokploy_provider::provider
