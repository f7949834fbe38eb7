// SPDX-License-Identifier: MIT
#include "pkg/core/text.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <vector>

namespace dokploy_provider::core {
namespace {

constexpr char32_t k_next_line = 0x85;
constexpr char32_t k_line_separator = 0x2028;
constexpr char32_t k_paragraph_separator = 0x2029;

// One decoded code point and the bytes it took; std::nullopt for an invalid sequence (one byte consumed).
struct CodePoint {
    char32_t value;
    std::size_t length;
};

std::optional<CodePoint> decode(std::string_view text, std::size_t pos) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[pos + i]); };
    const auto lead = byte(0);
    std::size_t length = 0;
    char32_t value = 0;
    if (lead < 0x80) {
        return CodePoint{lead, 1};
    }
    if ((lead & 0xE0U) == 0xC0) {
        length = 2;
        value = lead & 0x1FU;
    } else if ((lead & 0xF0U) == 0xE0) {
        length = 3;
        value = lead & 0x0FU;
    } else if ((lead & 0xF8U) == 0xF0) {
        length = 4;
        value = lead & 0x07U;
    } else {
        return std::nullopt;
    }
    if (pos + length > text.size()) {
        return std::nullopt;
    }
    for (std::size_t i = 1; i < length; ++i) {
        if ((byte(i) & 0xC0U) != 0x80) {
            return std::nullopt;
        }
        value = (value << 6U) | (byte(i) & 0x3FU);
    }
    static constexpr std::array<char32_t, 5> k_min_for_length{0, 0, 0x80, 0x800, 0x10000};
    if (value < k_min_for_length[length] || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
        return std::nullopt;  // overlong, out of range or a surrogate
    }
    return CodePoint{value, length};
}

bool is_control(char32_t c) { return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F); }

bool is_line_break(char32_t c) {
    return c == '\n' || c == '\r' || c == k_next_line || c == k_line_separator || c == k_paragraph_separator;
}

bool is_space(char32_t c) {
    return c == ' ' || c == '\t' || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200B) || c == 0x202F ||
           c == 0x205F || c == 0x3000 || c == 0xFEFF;
}

std::string hex_escape(unsigned value) {
    static constexpr char k_hex[] = "0123456789abcdef";
    return std::string("\\x") + k_hex[(value >> 4U) & 0xFU] + k_hex[value & 0xFU];
}

}  // namespace

std::string one_line(std::string_view text, std::size_t max_length) {
    std::string result;
    result.reserve(std::min(text.size(), max_length) + 16);
    std::size_t pos = 0;
    bool last_was_break = false;
    while (pos < text.size() && result.size() < max_length) {
        const auto point = decode(text, pos);
        if (!point) {
            result += '?';
            ++pos;
            last_was_break = false;
            continue;
        }
        if (is_line_break(point->value)) {
            if (!last_was_break && !result.empty()) {
                result += " | ";
            }
            last_was_break = true;
        } else if (point->value == '\t') {
            result += ' ';
            last_was_break = false;
        } else if (is_control(point->value)) {
            result += hex_escape(static_cast<unsigned>(point->value));
            last_was_break = false;
        } else {
            result.append(text.substr(pos, point->length));
            last_was_break = false;
        }
        pos += point->length;
    }
    if (last_was_break && result.ends_with(" | ")) {
        result.resize(result.size() - 3);
    }
    if (pos < text.size()) {
        result += "... (" + std::to_string(text.size() - pos) + " more bytes)";
    }
    return result;
}

bool is_clean_name(std::string_view text) {
    std::vector<char32_t> points;
    for (std::size_t pos = 0; pos < text.size();) {
        const auto point = decode(text, pos);
        if (!point || is_control(point->value) || is_line_break(point->value)) {
            return false;
        }
        points.push_back(point->value);
        pos += point->length;
    }
    return !points.empty() && !is_space(points.front()) && !is_space(points.back()) &&
           std::any_of(points.begin(), points.end(), [](char32_t c) { return !is_space(c); });
}

bool is_printable_ascii_word(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) { return c > 0x20 && c < 0x7F; });
}

}  // namespace dokploy_provider::core
