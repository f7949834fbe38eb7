// SPDX-License-Identifier: MIT
// Sockets on Linux and macOS.
#include <cerrno>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pkg/core/net.hpp"

namespace dokploy_provider::core::net {

void close_socket(NativeSocket socket) noexcept {
    if (socket != k_invalid_socket) {
        ::close(socket);
    }
}

bool ensure_started() noexcept {
    return true;
}

UniqueSocket open_stream_socket(int family) {
    UniqueSocket socket(::socket(family, SOCK_STREAM, 0));
    if (socket.valid()) {
        ::fcntl(socket.get(), F_SETFD, FD_CLOEXEC);
#ifdef SO_NOSIGPIPE
        const int on = 1;  // macOS: a write to a reset connection returns EPIPE instead of raising SIGPIPE
        ::setsockopt(socket.get(), SOL_SOCKET, SO_NOSIGPIPE, &on, sizeof on);
#endif
    }
    return socket;
}

bool set_nonblocking(NativeSocket socket) noexcept {
    const int flags = ::fcntl(socket, F_GETFL);
    return flags >= 0 && ::fcntl(socket, F_SETFL, flags | O_NONBLOCK) == 0;
}

bool connect_in_progress() noexcept {
    return errno == EINPROGRESS;
}

int poll_one(NativeSocket socket, short events, int timeout_ms) noexcept {
    pollfd entry{socket, events, 0};
    for (;;) {
        const int ready = ::poll(&entry, 1, timeout_ms);
        if (ready >= 0 || errno != EINTR) {
            return ready < 0 ? -1 : ready;
        }
    }
}

void enable_keepalive(NativeSocket socket, const KeepaliveSettings& settings) noexcept {
    const int on = 1;
    ::setsockopt(socket, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
#if defined(TCP_KEEPIDLE)
    ::setsockopt(socket, IPPROTO_TCP, TCP_KEEPIDLE, &settings.idle_s, sizeof settings.idle_s);
#elif defined(TCP_KEEPALIVE)  // macOS names the idle time TCP_KEEPALIVE
    ::setsockopt(socket, IPPROTO_TCP, TCP_KEEPALIVE, &settings.idle_s, sizeof settings.idle_s);
#endif
#if defined(TCP_KEEPINTVL) && defined(TCP_KEEPCNT)
    ::setsockopt(socket, IPPROTO_TCP, TCP_KEEPINTVL, &settings.interval_s, sizeof settings.interval_s);
    ::setsockopt(socket, IPPROTO_TCP, TCP_KEEPCNT, &settings.count, sizeof settings.count);
#endif
#if defined(TCP_USER_TIMEOUT)
    ::setsockopt(socket, IPPROTO_TCP, TCP_USER_TIMEOUT, &settings.user_timeout_ms, sizeof settings.user_timeout_ms);
#endif
}

}  // namespace dokploy_provider::core::net
