// SPDX-License-Identifier: MIT
#pragma once

#include "pkg/core/duration.hpp"
#include "pkg/core/env.hpp"
#include "pkg/provider/machine_state.hpp"
#include "pkg/ssh/shared_connection.hpp"

namespace dokploy_provider::provider {

// The shared-connection files of a machine: in MACHINE_FOLDER, beside its keys.
[[nodiscard]] ssh::SharedPaths shared_paths(const MachinePaths& paths);

// Everything `command` needs to run on the machine's shared connection, which ends after `idle_exit` without
// a command; std::nullopt when reuse is off (idle_exit 0) or this program cannot be re-run as the master
// (then `command` connects directly).
[[nodiscard]] std::optional<ssh::SharedSettings> shared_settings(const MachinePaths& paths, const MachineState& state,
                                                                 core::Millis idle_exit);

// Ends the shared SSH connection of the machine in env's MACHINE_FOLDER, if one runs (stop, delete, and create,
// which may move the machine). Nothing happens without MACHINE_FOLDER.
void end_shared_connection(const core::EnvLookup& env);

// The hidden `__ssh-master` subcommand, started by run_shared: what it was given on its command line.
struct MasterArguments {
    std::filesystem::path socket;
    ssh::Endpoint endpoint;
    ssh::Credentials credentials;
    core::Millis connect_timeout{10'000};
    core::Millis idle_exit{600'000};
    int ready_fd = -1;
};

// Runs the master (ssh::run_master) and returns its exit code.
[[nodiscard]] int run_ssh_master(const MasterArguments& arguments);

}  // namespace dokploy_provider::provider
