// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace dokploy_provider::core {

// `text` made safe for one log line: line breaks (\n, \r, U+0085, U+2028, U+2029) become " | ", other
// control characters (C0, DEL, C1) become "\xNN", invalid UTF-8 bytes become '?', and text longer than
// `max_length` bytes is cut with a note of how much was dropped.
[[nodiscard]] std::string one_line(std::string_view text, std::size_t max_length = 2000);

// True when `text` is valid UTF-8 with no control characters (C0, DEL, C1), no line or paragraph
// separators, no leading or trailing whitespace (ASCII or Unicode) and at least one visible character.
[[nodiscard]] bool is_clean_name(std::string_view text);

// True when every byte of `text` is printable ASCII other than space (0x21-0x7e).
[[nodiscard]] bool is_printable_ascii_word(std::string_view text);

}  // namespace dokploy_provider::core
