// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>

#include "pkg/provider/machine_state.hpp"
#include "pkg/ssh/connection.hpp"

namespace dokploy_provider::provider {

// What the workspace container needs to know about the machine's keys.
struct WorkspaceKeys {
    std::string authorized_keys;  // the client public key line
    std::string host_key_base64;  // base64 of the OpenSSH private host key
};

// create only: makes MACHINE_FOLDER (0700) if needed and checks that it is a writable folder. Throws
// core::ConfigError naming MACHINE_FOLDER otherwise, before anything is sent to Dokploy.
void prepare_machine_folder(const MachinePaths& paths);

// create only: makes the ed25519 client and host key pairs in MACHINE_FOLDER (0600 private keys) unless
// they exist, in which case they are reused. Throws core::Error.
[[nodiscard]] WorkspaceKeys ensure_machine_keys(const MachinePaths& paths);

// The client key and pinned host public key of a machine, for every SSH connection.
[[nodiscard]] ssh::Credentials machine_credentials(const MachinePaths& paths);

// The client public key line in MACHINE_FOLDER ("ssh-ed25519 AAAA... comment"); std::nullopt when absent.
[[nodiscard]] std::optional<std::string> read_client_public_key(const MachinePaths& paths);

// True when both the client key and the pinned host public key are present.
[[nodiscard]] bool machine_keys_present(const MachinePaths& paths);

}  // namespace dokploy_provider::provider
