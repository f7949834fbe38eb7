// SPDX-License-Identifier: MIT
#pragma once

#include <charconv>
#include <optional>
#include <string_view>

namespace dokploy_provider::core {

// Parses all of `text` as a decimal int: no sign other than '-', no spaces, no trailing characters.
// std::nullopt when empty, malformed or out of range.
[[nodiscard]] inline std::optional<int> parse_int(std::string_view text) {
    int value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc{} || ptr != end) {
        return std::nullopt;
    }
    return value;
}

}  // namespace dokploy_provider::core
