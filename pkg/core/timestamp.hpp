// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace dokploy_provider::core {

using TimePoint = std::chrono::system_clock::time_point;

// Parses the ISO-8601 UTC timestamps Dokploy writes ("2026-11-23T05:00:00.123Z", also without
// fraction, with "+00:00", or with a space instead of 'T'). std::nullopt for anything else.
[[nodiscard]] std::optional<TimePoint> parse_iso8601(std::string_view text);

// Formats a time point as "YYYY-MM-DDTHH:MM:SS.mmmZ".
[[nodiscard]] std::string format_iso8601(TimePoint time);

}  // namespace dokploy_provider::core
