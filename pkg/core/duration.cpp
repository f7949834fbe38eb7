// SPDX-License-Identifier: MIT
#include "pkg/core/duration.hpp"

#include <array>
#include <cctype>
#include <utility>

namespace dokploy_provider::core {
namespace {

// Go's limit: a time.Duration is an int64 of nanoseconds (about 2562047 hours).
constexpr double k_max_ns = 9223372036854775807.0;

struct Unit {
    std::string_view name;
    double ns;
};

// Go's units (time.ParseDuration), longest names first so "ms" wins over "m". "µs" is U+00B5, "μs" U+03BC.
constexpr std::array<Unit, 8> k_units{{{"ns", 1.0},
                                       {"us", 1e3},
                                       {"\xC2\xB5s", 1e3},
                                       {"\xCE\xBCs", 1e3},
                                       {"ms", 1e6},
                                       {"h", 3600e9},
                                       {"m", 60e9},
                                       {"s", 1e9}}};

bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// Reads "<digits>[.<digits>]", ".<digits>" or "<digits>." at `pos`; false when there is no number there.
bool read_number(std::string_view text, std::size_t& pos, double& value) {
    const auto start = pos;
    double whole = 0;
    bool digits = false;
    while (pos < text.size() && is_digit(text[pos])) {
        whole = whole * 10 + (text[pos++] - '0');
        digits = true;
    }
    double fraction = 0;
    if (pos < text.size() && text[pos] == '.') {
        ++pos;
        double scale = 0.1;
        while (pos < text.size() && is_digit(text[pos])) {
            fraction += (text[pos++] - '0') * scale;
            scale /= 10;
            digits = true;
        }
    }
    value = whole + fraction;
    return digits && pos > start;
}

}  // namespace

std::optional<Millis> parse_duration(std::string_view text) {
    if (!text.empty() && text.front() == '+') {
        text.remove_prefix(1);
    }
    if (text == "0") {
        return Millis(0);
    }
    if (text.empty()) {
        return std::nullopt;
    }
    double total_ns = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        double value = 0;
        if (!read_number(text, pos, value)) {
            return std::nullopt;
        }
        const Unit* unit = nullptr;
        for (const auto& candidate : k_units) {
            if (text.substr(pos, candidate.name.size()) == candidate.name) {
                unit = &candidate;
                break;
            }
        }
        if (unit == nullptr) {
            return std::nullopt;  // also a number without a unit: Go accepts only "0" bare
        }
        pos += unit->name.size();
        total_ns += value * unit->ns;
        if (total_ns > k_max_ns) {
            return std::nullopt;
        }
    }
    return Millis(static_cast<Millis::rep>(total_ns / 1e6));
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
