// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace dokploy_provider::provider {

// The last `max_lines` lines of a Dokploy deploy log that carry Docker's text, joined with " | " for a
// one-line error: blank lines, the box-drawn banner and Dokploy's own remarks (marked with a check mark or a
// cross) are dropped, each line is trimmed. Empty when nothing is left.
[[nodiscard]] std::string summarize_deploy_log(std::string_view log, std::size_t max_lines = 3);

// True when a deploy error text or log says a published host port is already taken.
[[nodiscard]] bool is_port_conflict(std::string_view text);

}  // namespace dokploy_provider::provider
