// SPDX-License-Identifier: MIT
// Windows: anonymous pipes and consoles cannot be polled together with a socket, so a thread reads stdin
// into a bounded buffer and wakes the loop through a loopback datagram socket that WSAPoll watches next to
// the SSH socket. Console control events (Ctrl-C, Ctrl-Break, closing the console) wake it the same way.
// Winsock before windows.h, and both before the headers that extend them.
// clang-format off
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <io.h>
// clang-format on

#include <array>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pkg/core/errors.hpp"
#include "pkg/core/net.hpp"
#include "pkg/ssh/local_ends.hpp"

namespace dokploy_provider::ssh {
namespace {

namespace net = core::net;

constexpr std::size_t k_input_buffer = 256 * 1024;
constexpr int k_sigint = 2;
constexpr int k_sigterm = 15;
constexpr int k_sighup = 1;

// A UDP socket on 127.0.0.1 connected to itself: any thread sends a byte to wake WSAPoll.
net::UniqueSocket open_wake_socket() {
    if (!net::ensure_started()) {
        throw core::SshError("cannot start Winsock for the SSH session");
    }
    net::UniqueSocket socket(::WSASocketW(AF_INET, SOCK_DGRAM, IPPROTO_UDP, nullptr, 0, WSA_FLAG_NO_HANDLE_INHERIT));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int length = sizeof address;
    if (!socket.valid() || ::bind(socket.get(), reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::getsockname(socket.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0 ||
        ::connect(socket.get(), reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        !net::set_nonblocking(socket.get())) {
        throw core::SshError("cannot create the loopback wake-up socket (error " + std::to_string(::WSAGetLastError()) +
                             ")");
    }
    return socket;
}

// Shared by the loop, the stdin thread and the console handler; the thread may outlive LocalEnds (a read
// of stdin cannot be cancelled portably), so it holds a shared_ptr.
struct Shared {
    net::UniqueSocket wake = open_wake_socket();
    std::mutex mutex;
    std::condition_variable room;  // the reader waits here while the buffer is full
    std::vector<char> buffer;      // read from stdin, not yet taken
    bool eof = false;
    int error = 0;
    bool closing = false;

    void notify() const {
        const char byte = 0;
        ::send(wake.get(), &byte, 1, 0);
    }
    void drain() const {
        std::array<char, 64> sink{};
        while (::recv(wake.get(), sink.data(), static_cast<int>(sink.size()), 0) > 0) {
        }
    }
};

std::atomic<int> g_pending_signal{0};
std::shared_ptr<Shared> g_console_target;  // set while a LocalEnds is alive
std::mutex g_console_mutex;

BOOL WINAPI on_console_event(DWORD event) {
    int signal = 0;
    switch (event) {
        case CTRL_C_EVENT:
            signal = k_sigint;
            break;
        case CTRL_BREAK_EVENT:
            signal = k_sigterm;
            break;
        case CTRL_CLOSE_EVENT:
        case CTRL_LOGOFF_EVENT:
        case CTRL_SHUTDOWN_EVENT:
            signal = k_sighup;
            break;
        default:
            return FALSE;
    }
    int expected = 0;
    g_pending_signal.compare_exchange_strong(expected, signal);
    const std::lock_guard lock(g_console_mutex);
    if (g_console_target) {
        g_console_target->notify();
    }
    return TRUE;
}

void read_stdin(const std::shared_ptr<Shared>& shared, HANDLE input) {
    std::vector<char> chunk(64 * 1024);
    for (;;) {
        {
            std::unique_lock lock(shared->mutex);
            shared->room.wait(lock, [&] { return shared->closing || shared->buffer.size() < k_input_buffer; });
            if (shared->closing) {
                return;
            }
        }
        DWORD got = 0;
        const BOOL ok = ::ReadFile(input, chunk.data(), static_cast<DWORD>(chunk.size()), &got, nullptr);
        const DWORD error = ok ? 0 : ::GetLastError();
        {
            const std::lock_guard lock(shared->mutex);
            if (got > 0) {
                shared->buffer.insert(shared->buffer.end(), chunk.data(), chunk.data() + got);
            }
            if (!ok || got == 0) {
                shared->eof = true;  // end of file, a closed pipe (ERROR_BROKEN_PIPE) or a failure
                shared->error = (ok || error == ERROR_BROKEN_PIPE) ? 0 : EIO;
            }
        }
        shared->notify();
        if (!ok || got == 0) {
            return;
        }
    }
}

HANDLE handle_of(int fd) {
    return reinterpret_cast<HANDLE>(::_get_osfhandle(fd));
}

IoResult write_handle(HANDLE handle, std::span<const char> data) {
    std::size_t done = 0;
    while (done < data.size()) {
        DWORD written = 0;
        const auto chunk = static_cast<DWORD>(std::min<std::size_t>(data.size() - done, 1U << 20));
        if (::WriteFile(handle, data.data() + done, chunk, &written, nullptr) == 0) {
            const DWORD error = ::GetLastError();
            if (error == ERROR_BROKEN_PIPE || error == ERROR_NO_DATA) {
                return {IoStatus::end, done, EPIPE};
            }
            return {IoStatus::failed, done, EIO};
        }
        done += written;
    }
    return {IoStatus::ok, done};
}

}  // namespace

void ensure_standard_fds_open() {}

struct LocalEnds::State {
    std::shared_ptr<Shared> shared = std::make_shared<Shared>();
    HANDLE output = INVALID_HANDLE_VALUE;
    HANDLE error = INVALID_HANDLE_VALUE;
};

LocalEnds::LocalEnds(const LocalStreams& streams) : m_state(std::make_unique<State>()) {
    m_state->output = handle_of(streams.output);
    m_state->error = handle_of(streams.error);
    {
        const std::lock_guard lock(g_console_mutex);
        g_console_target = m_state->shared;
    }
    g_pending_signal = 0;
    ::SetConsoleCtrlHandler(on_console_event, TRUE);
    const HANDLE input = handle_of(streams.input);
    if (input == INVALID_HANDLE_VALUE) {
        m_state->shared->eof = true;
    } else {
        std::thread(read_stdin, m_state->shared, input).detach();
    }
}

LocalEnds::~LocalEnds() {
    ::SetConsoleCtrlHandler(on_console_event, FALSE);
    {
        const std::lock_guard lock(g_console_mutex);
        g_console_target.reset();
    }
    {
        const std::lock_guard lock(m_state->shared->mutex);
        m_state->shared->closing = true;
    }
    m_state->shared->room.notify_all();
}

Readiness LocalEnds::wait(core::net::NativeSocket session, bool session_write, bool want_input, bool /*want_output*/,
                          int timeout_ms) {
    auto& shared = *m_state->shared;
    bool input_ready = false;
    if (want_input) {
        const std::lock_guard lock(shared.mutex);
        input_ready = !shared.buffer.empty() || shared.eof;
    }
    // Output writes block instead of polling, so wanting output never needs a wait.
    std::array<WSAPOLLFD, 2> fds{{
        {session, static_cast<SHORT>(POLLRDNORM | (session_write ? POLLWRNORM : 0)), 0},
        {shared.wake.get(), POLLRDNORM, 0},
    }};
    const int ready =
        ::WSAPoll(fds.data(), static_cast<ULONG>(fds.size()), input_ready || g_pending_signal != 0 ? 0 : timeout_ms);
    if (ready == SOCKET_ERROR) {
        throw core::SshError("WSAPoll failed during the SSH session (error " + std::to_string(::WSAGetLastError()) +
                             ")");
    }
    if (fds[1].revents != 0) {
        shared.drain();
    }
    if (want_input && !input_ready) {
        const std::lock_guard lock(shared.mutex);
        input_ready = !shared.buffer.empty() || shared.eof;
    }
    return {fds[0].revents != 0, input_ready};
}

IoResult LocalEnds::read_input(std::span<char> buffer) {
    auto& shared = *m_state->shared;
    std::size_t taken = 0;
    {
        const std::lock_guard lock(shared.mutex);
        taken = std::min(buffer.size(), shared.buffer.size());
        if (taken == 0) {
            if (!shared.eof) {
                return {IoStatus::would_block};
            }
            return shared.error != 0 ? IoResult{IoStatus::failed, 0, shared.error} : IoResult{IoStatus::end};
        }
        std::memcpy(buffer.data(), shared.buffer.data(), taken);
        shared.buffer.erase(shared.buffer.begin(), shared.buffer.begin() + static_cast<std::ptrdiff_t>(taken));
    }
    shared.room.notify_one();
    return {IoStatus::ok, taken};
}

IoResult LocalEnds::write_output(std::span<const char> data) {
    return write_handle(m_state->output, data);
}

IoResult LocalEnds::write_error(std::span<const char> data) {
    return write_handle(m_state->error, data);
}

std::optional<int> LocalEnds::take_signal() {
    const int signal = g_pending_signal.exchange(0);
    return signal != 0 ? std::optional<int>(signal) : std::nullopt;
}

}  // namespace dokploy_provider::ssh
