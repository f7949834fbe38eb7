// SPDX-License-Identifier: MIT
#include "pkg/core/duration.hpp"

#include "tests/support/catch.hpp"

using dokploy_provider::core::format_duration;
using dokploy_provider::core::Millis;
using dokploy_provider::core::parse_duration;

TEST_CASE("parse_duration accepts Go-style durations") {
    CHECK(parse_duration("30s") == Millis(30'000));
    CHECK(parse_duration("2m") == Millis(120'000));
    CHECK(parse_duration("1h30m") == Millis(5'400'000));
    CHECK(parse_duration("500ms") == Millis(500));
    CHECK(parse_duration("1.5s") == Millis(1'500));
    CHECK(parse_duration("45") == Millis(45'000));
    CHECK(parse_duration("0s") == Millis(0));
}

TEST_CASE("parse_duration rejects malformed durations") {
    for (const auto* bad : {"", "s", "10x", "-5s", "1m30", " 5s", "5s ", "1..5s", ".s", "abc", "999999h"}) {
        INFO(bad);
        CHECK_FALSE(parse_duration(bad).has_value());
    }
}

TEST_CASE("format_duration is short and readable") {
    CHECK(format_duration(Millis(850)) == "850ms");
    CHECK(format_duration(Millis(12'300)) == "12s");
    CHECK(format_duration(Millis(125'000)) == "2m05s");
    CHECK(format_duration(Millis(3'720'000)) == "1h02m");
}
