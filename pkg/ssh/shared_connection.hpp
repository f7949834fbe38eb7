// SPDX-License-Identifier: MIT
// Connection reuse across `command` calls, as OpenSSH's ControlMaster/ControlPersist: the first `command`
// starts a background process (the master) that keeps one authenticated SSH connection to the machine and
// listens on a Unix socket in MACHINE_FOLDER; every `command` then hands its stdin, stdout and stderr to the
// master, which runs the command on a new channel of that connection and reports the exit code back.
// Linux and macOS only; on Windows run_shared answers std::nullopt and `command` connects directly.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "pkg/core/duration.hpp"
#include "pkg/ssh/connection.hpp"
#include "pkg/ssh/keepalive.hpp"
#include "pkg/ssh/local_ends.hpp"

namespace dokploy_provider::ssh {

// The files of one machine's shared connection.
struct SharedPaths {
    std::filesystem::path socket;  // the master's socket (mode 0600)
    std::filesystem::path lock;    // serialises starting a master
    std::filesystem::path log;     // the master's log (warnings and errors; debug with --verbose)
};

struct SharedSettings {
    SharedPaths paths;
    std::filesystem::path executable;  // this program, started as the master with the hidden `__ssh-master`
    Endpoint endpoint;
    Credentials credentials;
    ConnectSettings connect;
    core::Millis idle_exit{600'000};  // the master ends after this long without a command
    KeepaliveSettings keepalive;
};

// Runs `command` on the machine's shared connection, starting the master first when none runs (or the one
// that runs is stale: dead, for another endpoint, or its connection lost before the command started). The
// exit code and output rules are run_remote_command's. Returns std::nullopt when reuse is not possible here
// (Windows, a terminal on stdin or stdout, a socket path too long for the system, a master that would not
// start for a local reason): the caller then connects directly. Throws what Connection::open throws when the
// master cannot connect (host key mismatch, unreachable, refused), and core::SshError when the connection is
// lost while the command runs.
[[nodiscard]] std::optional<int> run_shared(const SharedSettings& settings, const std::string& command,
                                            const LocalStreams& streams = {});

// Who a master must be to run a command: the endpoint and the pinned host public key (the file's content), so
// that a master never serves a machine that moved or whose pin changed since it connected. Empty when the
// pin cannot be read (no master matches then).
[[nodiscard]] std::string shared_identity(const Endpoint& endpoint, const Credentials& credentials);

// Ends the machine's master if one runs (its commands end with the connection) and removes the socket.
// Nothing to do when none runs; waits at most about two seconds for it.
void end_shared(const SharedPaths& paths);

// The master's process: connects (Connection::open), listens on settings.paths.socket, reports "ready" or
// the connection error on `ready_fd`, then serves commands until it has been idle for idle_exit, its
// connection is lost, or end_shared asks it to go. Returns its exit code (0, or 255 after a lost connection).
[[nodiscard]] int run_master(const SharedSettings& settings, int ready_fd);

}  // namespace dokploy_provider::ssh
