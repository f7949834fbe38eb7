// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string_view>

namespace dokploy_provider::ssh {

// Maps an SSH signal name (RFC 4254 6.10: "TERM", "KILL", ...; a "SIG" prefix and lower case are
// accepted) to its Linux signal number (the remote's); std::nullopt when the name is unknown.
[[nodiscard]] std::optional<int> signal_number(std::string_view ssh_name);

// The RFC 4254 name of a signal number ("INT" for 2, SIGINT); std::nullopt when it has none. SIGINT, SIGTERM
// and SIGHUP have the same numbers on Linux, macOS and Windows.
[[nodiscard]] std::optional<std::string_view> ssh_signal_name(int signal_number);

// The exit code of a command killed by signal `ssh_name`: 128 + its number, 255 when the name is unknown.
[[nodiscard]] int exit_code_for_signal(std::string_view ssh_name);

}  // namespace dokploy_provider::ssh
