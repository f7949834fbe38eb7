// SPDX-License-Identifier: MIT
// POSIX only (Linux, macOS): the fd primitives under LocalEnds.
#pragma once

#include <span>

#include "pkg/ssh/io_result.hpp"

namespace dokploy_provider::ssh {

// Puts a local file descriptor in non-blocking mode for the guard's lifetime and restores its original
// flags afterwards (as OpenSSH's client does). Terminals are left alone: their file description is shared
// with the shell. Failures are ignored (the fd then stays as it was).
class NonblockingGuard {
public:
    explicit NonblockingGuard(int fd);
    ~NonblockingGuard();
    NonblockingGuard(const NonblockingGuard&) = delete;
    NonblockingGuard& operator=(const NonblockingGuard&) = delete;

private:
    int m_fd;
    int m_saved_flags = -1;  // -1: nothing to restore
};

// One read(2) into `buffer`, retried on EINTR only when nothing is pending. Never blocks on a
// non-blocking fd.
[[nodiscard]] IoResult read_some(int fd, std::span<char> buffer);

// One write(2) of (a prefix of) `data`; same conventions as read_some.
[[nodiscard]] IoResult write_some(int fd, std::span<const char> data);

// Writes all of `data`, waiting with poll() while the fd is full. Returns `end` when the reader went
// away, `failed` on another error or when a signal interrupted the wait (error == EINTR), else `ok`.
[[nodiscard]] IoResult write_all(int fd, std::span<const char> data);

}  // namespace dokploy_provider::ssh
