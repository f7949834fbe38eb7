// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "pkg/dokploy/models.hpp"

namespace dokploy_provider::provider {

// What create learned about a machine, kept in MACHINE_FOLDER/dokploy-machine.json. Written atomically
// (temp file + rename) by create, start (the start time, a new port) and command (a recovered file); every
// other subcommand reads it. Everything in it can be recovered from Dokploy (the port is in the compose file)
// if the file is lost.
struct MachineState {
    std::string machine_id;
    std::string compose_id;
    std::string app_name;
    std::string project_id;
    std::string environment_id;  // empty on the legacy (v0.22) layout
    std::string ssh_host;
    int ssh_port = 0;
    std::string ssh_user = "root";
    std::string last_start_at;  // ISO-8601 time of the last deploy or start (bounds how long status says Busy)
    // Dokploy's API layout as learned when the file was written, so that later calls need not ask for the
    // version; std::nullopt (a file of an older provider, an unknown value): learn it again.
    std::optional<dokploy::ApiLayout> api_layout;
};

// Paths of the files a machine keeps in MACHINE_FOLDER.
struct MachinePaths {
    std::filesystem::path folder;
    [[nodiscard]] std::filesystem::path state_file() const { return folder / "dokploy-machine.json"; }
    [[nodiscard]] std::filesystem::path client_key() const { return folder / "id_ed25519"; }
    [[nodiscard]] std::filesystem::path client_public_key() const { return folder / "id_ed25519.pub"; }
    [[nodiscard]] std::filesystem::path host_key() const { return folder / "ssh_host_ed25519_key"; }
    [[nodiscard]] std::filesystem::path host_public_key() const { return folder / "ssh_host_ed25519_key.pub"; }
    [[nodiscard]] std::filesystem::path create_lock() const { return folder / "dokploy-create.lock"; }
};

// Reads the state file; std::nullopt when it does not exist. Throws core::Error when it exists but is
// unreadable or malformed (naming the file and how to recover: run create again).
[[nodiscard]] std::optional<MachineState> read_machine_state(const MachinePaths& paths);

// Writes the state file atomically with mode 0600, creating the folder if needed. Throws core::Error.
void write_machine_state(const MachinePaths& paths, const MachineState& state);

}  // namespace dokploy_provider::provider
