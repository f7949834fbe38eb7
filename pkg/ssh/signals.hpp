// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string_view>

namespace dokploy_provider::ssh {

// Maps an SSH signal name (RFC 4254 6.10: "TERM", "KILL", ...; a "SIG" prefix and lower case are
// accepted) to this platform's signal number; std::nullopt when the name is unknown.
[[nodiscard]] std::optional<int> signal_number(std::string_view ssh_name);

// The RFC 4254 name of a local signal number ("INT" for SIGINT); std::nullopt when it has none.
[[nodiscard]] std::optional<std::string_view> ssh_signal_name(int signal_number);

// The exit code of a command killed by signal `ssh_name`: 128 + its number, 255 when the name is unknown.
[[nodiscard]] int exit_code_for_signal(std::string_view ssh_name);

// While alive: SIGINT, SIGTERM and SIGHUP are written (as one byte each) to a non-blocking self-pipe
// instead of killing the process, and SIGPIPE is ignored so that a closed stdout surfaces as EPIPE.
// The handlers do not use SA_RESTART, so a blocked system call returns EINTR. The previous dispositions
// are restored on destruction. At most one instance may exist at a time. Throws core::Error on failure.
class SignalPipe {
public:
    SignalPipe();
    ~SignalPipe();
    SignalPipe(const SignalPipe&) = delete;
    SignalPipe& operator=(const SignalPipe&) = delete;

    // The read end, to poll for POLLIN.
    [[nodiscard]] int fd() const noexcept { return m_read_fd; }

    // The first signal received and not yet taken, if any. Never blocks.
    [[nodiscard]] std::optional<int> take();

private:
    int m_read_fd = -1;
    int m_write_fd = -1;
};

}  // namespace dokploy_provider::ssh
