// SPDX-License-Identifier: MIT
#pragma once

#include <string>

#include "pkg/ssh/channel_relay.hpp"
#include "pkg/ssh/connection.hpp"
#include "pkg/ssh/keepalive.hpp"
#include "pkg/ssh/local_ends.hpp"

namespace dokploy_provider::ssh {

struct TunnelSettings {
    KeepaliveSettings keepalive;
    RelayBuffers buffers;
};

// Runs `command` verbatim as an exec request (never a PTY) on a new channel and copies bytes in both
// directions until the remote closes the channel, with flow control (a full local pipe stops reading from
// the channel; a full channel window stops reading `input`). Returns:
// - the remote exit status, or 128+n when the remote command was killed by signal n; 255 when the remote
//   sent neither;
// - 128+n when this process got SIGINT/SIGTERM/SIGHUP n: the signal is forwarded to the remote command and
//   the channel closed at once;
// - when `output` is closed by its reader (EPIPE): the channel is closed and the remote exit status is
//   returned if it already arrived, else 0 (the reader hung up on purpose; that is not our failure).
// Throws core::SshError (exit 255) when the channel cannot be opened or the connection is lost, also when the
// peer stops answering keepalives (a frozen machine whose kernel still acknowledges TCP).
[[nodiscard]] int run_remote_command(Connection& connection, const std::string& command,
                                     const LocalStreams& streams = {}, const TunnelSettings& settings = {});

}  // namespace dokploy_provider::ssh
