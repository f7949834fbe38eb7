// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <utility>

#ifdef _WIN32
#include <winsock2.h>
#endif

namespace dokploy_provider::core::net {

// A platform's socket handle: an fd on POSIX, a SOCKET on Windows.
#ifdef _WIN32
using NativeSocket = SOCKET;
inline constexpr NativeSocket k_invalid_socket = INVALID_SOCKET;
#else
using NativeSocket = int;
inline constexpr NativeSocket k_invalid_socket = -1;
#endif

// Closes a socket (close(2) / closesocket); does nothing for k_invalid_socket.
void close_socket(NativeSocket socket) noexcept;

// Owns a socket and closes it on destruction.
class UniqueSocket {
public:
    explicit UniqueSocket(NativeSocket socket = k_invalid_socket) noexcept : m_socket(socket) {}
    UniqueSocket(const UniqueSocket&) = delete;
    UniqueSocket& operator=(const UniqueSocket&) = delete;
    UniqueSocket(UniqueSocket&& other) noexcept : m_socket(std::exchange(other.m_socket, k_invalid_socket)) {}
    UniqueSocket& operator=(UniqueSocket&& other) noexcept {
        if (this != &other) {
            close_socket(m_socket);
            m_socket = std::exchange(other.m_socket, k_invalid_socket);
        }
        return *this;
    }
    ~UniqueSocket() { close_socket(m_socket); }

    [[nodiscard]] NativeSocket get() const noexcept { return m_socket; }
    [[nodiscard]] bool valid() const noexcept { return m_socket != k_invalid_socket; }

private:
    NativeSocket m_socket;
};

// Starts the platform's socket library once per process (WSAStartup on Windows; nothing elsewhere).
// False when it cannot be started.
bool ensure_started() noexcept;

// Opens a TCP socket for `family` that is not inherited by child processes.
[[nodiscard]] UniqueSocket open_stream_socket(int family);

// Puts the socket in non-blocking mode; false on failure.
bool set_nonblocking(NativeSocket socket) noexcept;

// True when the last socket call failed because a non-blocking connect is still in progress.
[[nodiscard]] bool connect_in_progress() noexcept;

// Waits up to `timeout_ms` for `events` (POLLIN / POLLOUT) on one socket. 1 when ready, 0 on timeout,
// -1 on error.
int poll_one(NativeSocket socket, short events, int timeout_ms) noexcept;

// TCP keepalive tuned so that a silent dead peer is noticed in well under a minute: the first probe after
// `idle_s` seconds of silence, then every `interval_s`, given up after `count` probes; where the platform
// has it (Linux), unacknowledged data also kills the connection after `user_timeout_ms`. Best effort.
struct KeepaliveSettings {
    int idle_s = 15;
    int interval_s = 5;
    int count = 3;
    unsigned user_timeout_ms = 30'000;
};
void enable_keepalive(NativeSocket socket, const KeepaliveSettings& settings) noexcept;

}  // namespace dokploy_provider::core::net
