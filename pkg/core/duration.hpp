// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace dokploy_provider::core {

using Millis = std::chrono::milliseconds;

// Parses a Go-style duration as DevPod users write them: "30s", "2m", "1h30m", "500ms", "1.5s".
// A bare number means seconds. Returns std::nullopt for anything else (negative, empty, unknown unit,
// overflow beyond 30 days).
[[nodiscard]] std::optional<Millis> parse_duration(std::string_view text);

// Formats a duration for humans: "850ms", "12s", "2m05s", "1h02m".
[[nodiscard]] std::string format_duration(Millis value);

}  // namespace dokploy_provider::core
