// SPDX-License-Identifier: MIT
#pragma once

#include <memory>
#include <optional>
#include <span>

#include "pkg/core/net.hpp"
#include "pkg/ssh/io_result.hpp"

namespace dokploy_provider::ssh {

// The local ends of the tunnel.
struct LocalStreams {
    int input = 0;   // copied to the remote command's stdin; its EOF becomes channel EOF
    int output = 1;  // receives the remote stdout, and nothing else, byte for byte
    int error = 2;   // receives the remote stderr
};

// Makes sure fds 0, 1 and 2 are open (on /dev/null when they were closed), so that no socket or pipe we
// open later lands on a standard fd and gets mistaken for stdin/stdout. Call before opening anything.
// Nothing to do on Windows.
void ensure_standard_fds_open();

// What woke LocalEnds::wait.
struct Readiness {
    bool session = false;  // the SSH socket has something for libssh
    bool input = false;    // read_input will not block
};

// The local side of the tunnel (stdin, stdout, stderr and interrupt signals) behind one interface, so that
// the tunnel's loop is the same on every platform:
// - Linux and macOS: the fds are made non-blocking (terminals excepted) and poll(2) waits on them, the SSH
//   socket and a signal self-pipe (SIGINT, SIGTERM, SIGHUP; SIGPIPE ignored).
// - Windows: a thread reads stdin into a bounded buffer (pipes cannot be polled), stdout and stderr writes
//   block, and Ctrl-C / Ctrl-Break / console close count as SIGINT / SIGTERM / SIGHUP. A loopback datagram
//   socket wakes WSAPoll for all of them.
// Everything is restored on destruction. At most one instance may exist at a time.
class LocalEnds {
public:
    explicit LocalEnds(const LocalStreams& streams);
    ~LocalEnds();
    LocalEnds(const LocalEnds&) = delete;
    LocalEnds& operator=(const LocalEnds&) = delete;

    // Sleeps until the SSH socket is readable (or writable, when `session_write`), input is readable (when
    // `want_input`), output is writable (when `want_output`), a signal arrives, or `timeout_ms` passes.
    // Throws core::SshError when waiting itself fails.
    [[nodiscard]] Readiness wait(core::net::NativeSocket session, bool session_write, bool want_input, bool want_output,
                                 int timeout_ms);

    // Moves what input is available into `buffer`, without blocking once `wait` reported input.
    [[nodiscard]] IoResult read_input(std::span<char> buffer);
    // Writes a prefix of `data` to the output; would_block when it is full; end when its reader is gone.
    [[nodiscard]] IoResult write_output(std::span<const char> data);
    // Writes all of `data` to the error stream (it is only a log: callers may drop what fails).
    [[nodiscard]] IoResult write_error(std::span<const char> data);

    // The first interrupt signal (SIGINT 2, SIGTERM 15, SIGHUP 1) received and not yet taken.
    [[nodiscard]] std::optional<int> take_signal();

private:
    struct State;
    std::unique_ptr<State> m_state;
};

}  // namespace dokploy_provider::ssh
