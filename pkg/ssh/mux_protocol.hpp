// SPDX-License-Identifier: MIT
// POSIX only (Linux, macOS): the frames between `command` and its machine's shared SSH connection (the
// "master"), over a Unix stream socket in MACHINE_FOLDER.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pkg/core/unique_fd.hpp"
#include "pkg/ssh/io_result.hpp"

namespace dokploy_provider::ssh::mux {

// Frame types. Client -> master: run (body: identity, a NUL, the command; stdin, stdout and stderr attached),
// signal (body: the signal number), quit. Master -> client: ready (the master is up, on its start-up
// channel), started (the server accepted the command), exit (body: the exit code), retry (body: why; the
// command never started, a new master may run it), fail (body: the error message).
enum class Type : char {
    run = 'R',
    signal = 'S',
    quit = 'Q',
    ready = 'K',
    started = 'O',
    exit = 'X',
    retry = 'E',
    fail = 'F',
};

struct Frame {
    Type type;
    std::string body;
    std::vector<core::UniqueFd> fds;  // received with the frame (SCM_RIGHTS)
};

// Sends one whole frame, with `fds` attached. Waits (poll) while the socket is full. Returns false when the
// peer is gone or the socket failed.
[[nodiscard]] bool send_frame(int socket, Type type, std::string_view body, const std::vector<int>& fds = {});

// Collects frames from a (blocking or non-blocking) socket, with any descriptors passed along.
class FrameReader {
public:
    // Reads what is available once; `end` when the peer closed the connection, `failed` on an error or a
    // malformed frame.
    [[nodiscard]] IoStatus read_from(int socket);
    // The next complete frame, if one arrived.
    [[nodiscard]] std::optional<Frame> next();

private:
    std::string m_buffer;
    std::vector<core::UniqueFd> m_fds;
};

}  // namespace dokploy_provider::ssh::mux
