// SPDX-License-Identifier: MIT
#include "pkg/ssh/signals.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>

#include "pkg/core/errors.hpp"

namespace dokploy_provider::ssh {
namespace {

struct SignalName {
    std::string_view name;
    int number;
};

// RFC 4254 section 6.10 names, plus the common Linux extras OpenSSH may send.
constexpr std::array<SignalName, 16> k_signals{{
    {"ABRT", SIGABRT}, {"ALRM", SIGALRM}, {"FPE", SIGFPE},   {"HUP", SIGHUP},   {"ILL", SIGILL},   {"INT", SIGINT},
    {"KILL", SIGKILL}, {"PIPE", SIGPIPE}, {"QUIT", SIGQUIT}, {"SEGV", SIGSEGV}, {"TERM", SIGTERM}, {"USR1", SIGUSR1},
    {"USR2", SIGUSR2}, {"BUS", SIGBUS},   {"TRAP", SIGTRAP}, {"XCPU", SIGXCPU},
}};

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
    struct sigaction pipe{};
};

SavedActions g_saved;

}  // namespace

std::optional<int> signal_number(std::string_view ssh_name) {
    if (ssh_name.size() > 3 && (ssh_name.substr(0, 3) == "SIG" || ssh_name.substr(0, 3) == "sig")) {
        ssh_name.remove_prefix(3);
    }
    std::string upper(ssh_name);
    for (auto& c : upper) {
        c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    }
    for (const auto& entry : k_signals) {
        if (entry.name == upper) {
            return entry.number;
        }
    }
    return std::nullopt;
}

std::optional<std::string_view> ssh_signal_name(int signal_number) {
    for (const auto& entry : k_signals) {
        if (entry.number == signal_number) {
            return entry.name;
        }
    }
    return std::nullopt;
}

int exit_code_for_signal(std::string_view ssh_name) {
    const auto number = signal_number(ssh_name);
    return number ? 128 + *number : 255;
}

SignalPipe::SignalPipe() {
    std::array<int, 2> fds{};
    if (::pipe2(fds.data(), O_CLOEXEC | O_NONBLOCK) != 0) {
        throw core::Error(std::string("cannot create the signal pipe: ") + std::strerror(errno));
    }
    m_read_fd = fds[0];
    m_write_fd = fds[1];
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
