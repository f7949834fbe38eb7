// SPDX-License-Identifier: MIT
#include "pkg/core/timestamp.hpp"

#include <charconv>

namespace dokploy_provider::core {
namespace {

bool read_int(std::string_view text, std::size_t pos, std::size_t width, int& value) {
    if (pos + width > text.size()) {
        return false;
    }
    const auto* begin = text.data() + pos;
    const auto [ptr, ec] = std::from_chars(begin, begin + width, value);
    return ec == std::errc{} && ptr == begin + width;
}

}  // namespace

std::optional<TimePoint> parse_iso8601(std::string_view text) {
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (text.size() < 19 || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != ' ') ||
        text[13] != ':' || text[16] != ':' || !read_int(text, 0, 4, year) || !read_int(text, 5, 2, month) ||
        !read_int(text, 8, 2, day) || !read_int(text, 11, 2, hour) || !read_int(text, 14, 2, minute) ||
        !read_int(text, 17, 2, second)) {
        return std::nullopt;
    }
    std::size_t pos = 19;
    int millis = 0;
    if (pos < text.size() && text[pos] == '.') {
        int scale = 100;
        for (++pos; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos) {
            millis += (text[pos] - '0') * scale;
            scale /= 10;
        }
    }
    const auto zone = text.substr(pos);
    if (zone != "Z" && zone != "+00:00" && zone != "+0000" && !zone.empty()) {
        return std::nullopt;
    }
    const std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                           std::chrono::day(static_cast<unsigned>(day))};
    if (!date.ok() || hour > 23 || minute > 59 || second > 60) {
        return std::nullopt;
    }
    return std::chrono::sys_days(date) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
           std::chrono::seconds(second) + std::chrono::milliseconds(millis);
}

std::string format_iso8601(TimePoint time) {
    const auto days = std::chrono::floor<std::chrono::days>(time);
    const std::chrono::year_month_day date{days};
    const std::chrono::hh_mm_ss clock{std::chrono::floor<std::chrono::milliseconds>(time - days)};
    const auto padded = [](long long value, std::size_t width) {
        auto text = std::to_string(value);
        return std::string(width > text.size() ? width - text.size() : 0, '0') + text;
    };
    return padded(static_cast<int>(date.year()), 4) + "-" + padded(static_cast<unsigned>(date.month()), 2) + "-" +
           padded(static_cast<unsigned>(date.day()), 2) + "T" + padded(clock.hours().count(), 2) + ":" +
           padded(clock.minutes().count(), 2) + ":" + padded(clock.seconds().count(), 2) + "." +
           padded(clock.subseconds().count(), 3) + "Z";
}

}  // namespace dokploy_provider::core
