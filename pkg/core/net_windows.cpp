// SPDX-License-Identifier: MIT
// Sockets on Windows (Winsock 2).

// Winsock before windows.h, and both before the headers that extend them.
// clang-format off
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mstcpip.h>
// clang-format on

#include "pkg/core/net.hpp"

namespace dokploy_provider::core::net {

void close_socket(NativeSocket socket) noexcept {
    if (socket != k_invalid_socket) {
        ::closesocket(socket);
    }
}

bool ensure_started() noexcept {
    // Never cleaned up: the process ends with it, and libcurl/libssh hold their own references.
    static const bool started = [] {
        WSADATA data{};
        return ::WSAStartup(MAKEWORD(2, 2), &data) == 0;
    }();
    return started;
}

UniqueSocket open_stream_socket(int family) {
    if (!ensure_started()) {
        return UniqueSocket();
    }
    // WSA_FLAG_NO_HANDLE_INHERIT: not inherited by child processes.
    return UniqueSocket(
        ::WSASocketW(family, SOCK_STREAM, IPPROTO_TCP, nullptr, 0, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT));
}

bool set_nonblocking(NativeSocket socket) noexcept {
    u_long on = 1;
    return ::ioctlsocket(socket, FIONBIO, &on) == 0;
}

bool connect_in_progress() noexcept {
    return ::WSAGetLastError() == WSAEWOULDBLOCK;
}

int poll_one(NativeSocket socket, short events, int timeout_ms) noexcept {
    WSAPOLLFD entry{socket, events, 0};
    const int ready = ::WSAPoll(&entry, 1, timeout_ms);
    return ready == SOCKET_ERROR ? -1 : ready;
}

void enable_keepalive(NativeSocket socket, const KeepaliveSettings& settings) noexcept {
    // SIO_KEEPALIVE_VALS sets the idle time and interval; Windows gives up after 10 probes (Vista and
    // later), so the count is not settable here.
    tcp_keepalive values{1, static_cast<ULONG>(settings.idle_s) * 1000U,
                         static_cast<ULONG>(settings.interval_s) * 1000U};
    DWORD returned = 0;
    ::WSAIoctl(socket, SIO_KEEPALIVE_VALS, &values, sizeof values, nullptr, 0, &returned, nullptr, nullptr);
}

}  // namespace dokploy_provider::core::net
