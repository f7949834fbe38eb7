// SPDX-License-Identifier: MIT
#include "pkg/core/text.hpp"

#include <string>

#include "tests/support/catch.hpp"

using dokploy_provider::core::is_clean_name;
using dokploy_provider::core::is_printable_ascii_word;
using dokploy_provider::core::one_line;

TEST_CASE("one_line keeps plain text and joins lines") {
    CHECK(one_line("deploy failed") == "deploy failed");
    CHECK(one_line("line one\nline two\r\nline three\n") == "line one | line two | line three");
    CHECK(one_line("a\tb") == "a b");
    CHECK(one_line("caf\xc3\xa9 \xe2\x9c\x93") == "caf\xc3\xa9 \xe2\x9c\x93");
}

TEST_CASE("one_line neutralises control characters, Unicode breaks and bad bytes") {
    CHECK(one_line("x\x1b[31mred") == "x\\x1b[31mred");
    CHECK(one_line("a\xc2\x85" "b") == "a | b");          // U+0085 NEXT LINE
    CHECK(one_line("a\xe2\x80\xa8" "b") == "a | b");      // U+2028 LINE SEPARATOR
    CHECK(one_line("a\xc2\x9b" "b") == "a\\x9bb");        // C1 control
    CHECK(one_line("a\xff\xfe" "b") == "a??b");           // invalid UTF-8
    CHECK(one_line("a\xc0\xaf" "b") == "a??b");           // overlong encoding
    CHECK(one_line(std::string("a\0b", 3)) == "a\\x00b");
}

TEST_CASE("one_line caps the length") {
    const auto line = one_line(std::string(5000, 'x'), 100);
    CHECK(line == std::string(100, 'x') + "... (4900 more bytes)");
}

TEST_CASE("is_clean_name accepts printable names and rejects blank or unprintable ones") {
    for (const auto* good : {"devpod-workspaces", "My Workspaces", "caf\xc3\xa9", "\xe5\xb7\xa5\xe4\xbd\x9c", "a b"}) {
        INFO(good);
        CHECK(is_clean_name(good));
    }
    for (const auto* bad : {"", " ", " lead", "trail ", "\xc2\xa0", "\xe3\x80\x80", "a\xc2\x85" "b", "a\xe2\x80\xa8" "b",
                            "\xff", "a\nb", "a\x1b", "\xc2\xa0name"}) {
        INFO(bad);
        CHECK_FALSE(is_clean_name(bad));
    }
}

TEST_CASE("is_printable_ascii_word") {
    CHECK(is_printable_ascii_word("tok-AbC_123.xyz~"));
    CHECK_FALSE(is_printable_ascii_word("tok en"));
    CHECK_FALSE(is_printable_ascii_word("tok\xc2\xa0"));
    CHECK_FALSE(is_printable_ascii_word("tok\x7f"));
}
