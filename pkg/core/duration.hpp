// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace dokploy_provider::core {

using Millis = std::chrono::milliseconds;

// Parses a duration exactly as Go's time.ParseDuration does (DevPod checks `type: duration` options with
// it): "30s", "2m", "1h30m", "500ms", "1.5h", "0"; units ns, us, µs, ms, s, m, h, each number with a unit.
// Returns std::nullopt for anything else, and also for negative values and for more than Go's maximum
// (about 2562047h). Sub-millisecond parts are truncated.
[[nodiscard]] std::optional<Millis> parse_duration(std::string_view text);

// Formats a duration for humans: "850ms", "12s", "2m05s", "1h02m".
[[nodiscard]] std::string format_duration(Millis value);

}  // namespace dokploy_provider::core
