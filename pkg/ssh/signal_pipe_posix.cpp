// SPDX-License-Identifier: MIT
#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <unistd.h>

#include "pkg/core/errors.hpp"
#include "pkg/ssh/signal_pipe.hpp"

namespace dokploy_provider::ssh {
namespace {

constexpr std::array<int, 3> k_handled{SIGINT, SIGTERM, SIGHUP};

// The write end for the async-signal handler; one SignalPipe at a time.
volatile std::sig_atomic_t g_write_fd = -1;

extern "C" void on_signal(int signal_number) {
    const int saved_errno = errno;
    const auto byte = static_cast<unsigned char>(signal_number);
    [[maybe_unused]] const auto ignored = ::write(g_write_fd, &byte, 1);
    errno = saved_errno;
}

struct SavedActions {
    std::array<struct sigaction, k_handled.size()> handled{};
    struct sigaction pipe {};
};

SavedActions g_saved;

// pipe(2) plus the flags (macOS has no pipe2).
bool set_flags(int fd) {
    const int status = ::fcntl(fd, F_GETFL);
    return status >= 0 && ::fcntl(fd, F_SETFL, status | O_NONBLOCK) == 0 && ::fcntl(fd, F_SETFD, FD_CLOEXEC) == 0;
}

}  // namespace

SignalPipe::SignalPipe() {
    std::array<int, 2> fds{};
    if (::pipe(fds.data()) != 0) {
        throw core::Error(std::string("cannot create the signal pipe: ") + std::strerror(errno));
    }
    m_read_fd = fds[0];
    m_write_fd = fds[1];
    if (!set_flags(m_read_fd) || !set_flags(m_write_fd)) {
        const std::string reason = std::strerror(errno);
        ::close(m_read_fd);
        ::close(m_write_fd);
        throw core::Error("cannot set up the signal pipe: " + reason);
    }
    g_write_fd = m_write_fd;

    struct sigaction action {};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // no SA_RESTART: blocked calls return EINTR so that we notice promptly
    for (std::size_t i = 0; i < k_handled.size(); ++i) {
        ::sigaction(k_handled[i], nullptr, &g_saved.handled[i]);
        if (g_saved.handled[i].sa_handler != SIG_IGN) {  // respect nohup and friends
            ::sigaction(k_handled[i], &action, nullptr);
        }
    }
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    ::sigaction(SIGPIPE, &ignore, &g_saved.pipe);
}

SignalPipe::~SignalPipe() {
    for (std::size_t i = 0; i < k_handled.size(); ++i) {
        ::sigaction(k_handled[i], &g_saved.handled[i], nullptr);
    }
    ::sigaction(SIGPIPE, &g_saved.pipe, nullptr);
    g_write_fd = -1;
    ::close(m_read_fd);
    ::close(m_write_fd);
}

std::optional<int> SignalPipe::take() {
    unsigned char byte = 0;
    if (::read(m_read_fd, &byte, 1) == 1) {
        return static_cast<int>(byte);
    }
    return std::nullopt;
}

}  // namespace dokploy_provider::ssh
