// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <span>

namespace dokploy_provider::ssh {

// Makes sure fds 0, 1 and 2 are open (on /dev/null when they were closed), so that no socket or pipe we
// open later lands on a standard fd and gets mistaken for stdin/stdout. Call before opening anything.
void ensure_standard_fds_open();

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

enum class IoStatus {
    ok,           // `bytes` were transferred (at least one)
    would_block,  // nothing to do now: poll first
    end,          // read: end of file; write: the reader is gone (EPIPE)
    failed,       // any other error; `error` holds errno
};

struct IoResult {
    IoStatus status;
    std::size_t bytes = 0;
    int error = 0;
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
