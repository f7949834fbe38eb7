// SPDX-License-Identifier: MIT
// POSIX only (Linux, macOS).
#pragma once

#include <optional>

namespace dokploy_provider::ssh {

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
