// SPDX-License-Identifier: MIT
#include "pkg/ssh/signals.hpp"

#include <array>
#include <string>

namespace dokploy_provider::ssh {
namespace {

struct SignalName {
    std::string_view name;
    int number;
};

// RFC 4254 section 6.10 names, plus the common Linux extras OpenSSH may send, with their Linux numbers: the
// remote is a Linux machine, and its numbering is the same for every client platform. SIGINT, SIGTERM and
// SIGHUP, the signals we forward, have these numbers on macOS and Windows too.
constexpr std::array<SignalName, 16> k_signals{{
    {"HUP", 1},
    {"INT", 2},
    {"QUIT", 3},
    {"ILL", 4},
    {"TRAP", 5},
    {"ABRT", 6},
    {"BUS", 7},
    {"FPE", 8},
    {"KILL", 9},
    {"USR1", 10},
    {"SEGV", 11},
    {"USR2", 12},
    {"PIPE", 13},
    {"ALRM", 14},
    {"TERM", 15},
    {"XCPU", 24},
}};

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

}  // namespace dokploy_provider::ssh
