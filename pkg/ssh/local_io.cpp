// SPDX-License-Identifier: MIT
#include "pkg/ssh/local_io.hpp"

#include <cerrno>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "pkg/ssh/local_ends.hpp"

namespace dokploy_provider::ssh {
namespace {

IoResult from_errno(int error) {
    if (error == EAGAIN || error == EWOULDBLOCK) {
        return {IoStatus::would_block};
    }
    if (error == EPIPE) {
        return {IoStatus::end, 0, error};
    }
    return {IoStatus::failed, 0, error};
}

}  // namespace

void ensure_standard_fds_open() {
    for (int fd = 0; fd <= 2; ++fd) {
        if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) {
            continue;
        }
        const int null_fd = ::open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
        if (null_fd >= 0 && null_fd != fd) {
            ::dup2(null_fd, fd);
            ::close(null_fd);
        }
    }
}

NonblockingGuard::NonblockingGuard(int fd) : m_fd(fd) {
    if (::isatty(fd) != 0) {
        return;
    }
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || (flags & O_NONBLOCK) != 0) {
        return;
    }
    if (::fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0) {
        m_saved_flags = flags;
    }
}

NonblockingGuard::~NonblockingGuard() {
    if (m_saved_flags >= 0) {
        ::fcntl(m_fd, F_SETFL, m_saved_flags);
    }
}

IoResult read_some(int fd, std::span<char> buffer) {
    for (;;) {
        const auto n = ::read(fd, buffer.data(), buffer.size());
        if (n > 0) {
            return {IoStatus::ok, static_cast<std::size_t>(n)};
        }
        if (n == 0) {
            return {IoStatus::end};
        }
        if (errno != EINTR) {
            return from_errno(errno);
        }
    }
}

IoResult write_some(int fd, std::span<const char> data) {
    for (;;) {
        const auto n = ::write(fd, data.data(), data.size());
        if (n >= 0) {
            return n == 0 ? IoResult{IoStatus::would_block} : IoResult{IoStatus::ok, static_cast<std::size_t>(n)};
        }
        if (errno != EINTR) {
            return from_errno(errno);
        }
    }
}

IoResult write_all(int fd, std::span<const char> data) {
    std::size_t done = 0;
    while (done < data.size()) {
        const auto result = write_some(fd, data.subspan(done));
        if (result.status == IoStatus::ok) {
            done += result.bytes;
            continue;
        }
        if (result.status != IoStatus::would_block) {
            return {result.status, done, result.error};
        }
        pollfd entry{fd, POLLOUT, 0};
        if (::poll(&entry, 1, -1) < 0) {
            return {IoStatus::failed, done, errno};
        }
    }
    return {IoStatus::ok, done};
}

}  // namespace dokploy_provider::ssh
