// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>

#include "pkg/ssh/io_result.hpp"

struct ssh_session_struct;

namespace dokploy_provider::ssh {

// The three local ends of one remote command. Implementations never block in read_input/write_output
// (would_block instead); write_error may write everything or a prefix.
class RelayEnds {
public:
    virtual ~RelayEnds() = default;
    [[nodiscard]] virtual IoResult read_input(std::span<char> buffer) = 0;
    [[nodiscard]] virtual IoResult write_output(std::span<const char> data) = 0;
    [[nodiscard]] virtual IoResult write_error(std::span<const char> data) = 0;
};

struct RelayBuffers {
    std::size_t input = 256 * 1024;  // stdin -> channel; the peer's window bounds what is in flight
    // channel -> stdout; also the receive window granted to the peer (see the .cpp), so it sets the download
    // speed over a long round trip: 4 MiB covers 80 MB/s at 50 ms. Memory: at most this plus one window in libssh.
    std::size_t output = 4 * 1024 * 1024;
    std::size_t error = 256 * 1024;  // channel -> stderr
};

// The session broke under a relay (read or write failed with the session closed). The owner decides what it
// means (a signal that interrupted libssh, or a lost connection) and words the error.
struct SessionBroken {};

// One exec channel copied full duplex between RelayEnds and the remote command, with flow control (a full
// local queue stops reading the channel and shrinks the window we grant; a closed peer window stops
// reading input). Driven by its owner's event loop: it never blocks while the session is non-blocking.
// The exit-code rules are the ones run_remote_command documents.
class ChannelRelay {
public:
    // `where` names the endpoint in messages ("root@host:port").
    ChannelRelay(ssh_session_struct* session, std::string where, RelayEnds& ends, const RelayBuffers& buffers = {});
    ~ChannelRelay();
    ChannelRelay(const ChannelRelay&) = delete;
    ChannelRelay& operator=(const ChannelRelay&) = delete;

    // Opens a session channel and requests `command` (never a PTY). Returns true once the server accepted
    // the exec request, false while that is still pending (non-blocking session: call again after events).
    // Throws core::SshError when the channel cannot be opened or the command is refused; SessionBroken when
    // the session itself is gone.
    [[nodiscard]] bool open(const std::string& command);

    // One round of non-blocking work (input -> channel, channel -> queues, queues -> ends); true when
    // anything moved. Throws SessionBroken.
    [[nodiscard]] bool pump();
    // Moves available input into the input queue (call when the input end is readable).
    void read_input();

    [[nodiscard]] bool wants_input() const;
    [[nodiscard]] bool has_output() const;  // bytes wait for the output end
    [[nodiscard]] bool has_error() const;   // bytes wait for the error end
    // The remote closed the channel and every byte reached the ends.
    [[nodiscard]] bool finished() const;
    // The output end's reader went away.
    [[nodiscard]] bool output_closed() const;

    // The command's result once finished(): remote exit status, 128+n for a remote signal n, 255 without
    // either. Closes the channel.
    [[nodiscard]] int result();
    // The output end is gone: closes the channel; the exit status if it already arrived, else 0.
    [[nodiscard]] int result_after_output_closed();
    // A local signal n: forwarded to the remote command, the channel closed; returns 128+n.
    [[nodiscard]] int interrupt(int signal);

private:
    struct State;
    std::unique_ptr<State> m_state;
};

}  // namespace dokploy_provider::ssh
