// SPDX-License-Identifier: MIT
#include "pkg/core/duration.hpp"

#include <array>
#include <cctype>
#include <utility>

namespace dokploy_provider::core {
namespace {

constexpr double k_max_ms = 30.0 * 24 * 3600 * 1000;

struct Unit {
    std::string_view name;
    double ms;
};

// Longest names first so "ms" wins over "m".
constexpr std::array<Unit, 4> k_units{{{"ms", 1.0}, {"h", 3600e3}, {"m", 60e3}, {"s", 1e3}}};

// Reads "<digits>[.<digits>]" at `pos`; returns false when there is no number there.
bool read_number(std::string_view text, std::size_t& pos, double& value) {
    const auto start = pos;
    double whole = 0;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])) != 0) {
        whole = whole * 10 + (text[pos++] - '0');
    }
    double fraction = 0;
    if (pos < text.size() && text[pos] == '.') {
        ++pos;
        double scale = 0.1;
        while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])) != 0) {
            fraction += (text[pos++] - '0') * scale;
            scale /= 10;
        }
    }
    value = whole + fraction;
    return pos > start && !(pos == start + 1 && text[start] == '.');
}

}  // namespace

std::optional<Millis> parse_duration(std::string_view text) {
    if (text.empty()) {
        return std::nullopt;
    }
    double total_ms = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        double value = 0;
        if (!read_number(text, pos, value)) {
            return std::nullopt;
        }
        if (pos == text.size()) {
            if (total_ms != 0) {
                return std::nullopt;  // "1m30" is ambiguous
            }
            total_ms = value * 1e3;
            break;
        }
        const Unit* unit = nullptr;
        for (const auto& candidate : k_units) {
            if (text.substr(pos, candidate.name.size()) == candidate.name) {
                unit = &candidate;
                break;
            }
        }
        if (unit == nullptr) {
            return std::nullopt;
        }
        pos += unit->name.size();
        total_ms += value * unit->ms;
        if (total_ms > k_max_ms) {
            return std::nullopt;
        }
    }
    if (total_ms > k_max_ms) {
        return std::nullopt;
    }
    return Millis(static_cast<Millis::rep>(total_ms));
}

std::string format_duration(Millis value) {
    const auto ms = static_cast<long long>(value.count());
    const auto two_digits = [](long long n) { return (n < 10 ? "0" : "") + std::to_string(n); };
    if (ms < 1000) {
        return std::to_string(ms) + "ms";
    }
    if (ms < 60'000) {
        return std::to_string(ms / 1000) + "s";
    }
    if (ms < 3'600'000) {
        return std::to_string(ms / 60'000) + "m" + two_digits(ms / 1000 % 60) + "s";
    }
    return std::to_string(ms / 3'600'000) + "h" + two_digits(ms / 60'000 % 60) + "m";
}

}  // namespace dokploy_provider::core
