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
    CHECK(parse_duration("0s") == Millis(0));
    CHECK(parse_duration("0") == Millis(0));
    CHECK(parse_duration("+2h") == Millis(7'200'000));
    CHECK(parse_duration(".5s") == Millis(500));
    CHECK(parse_duration("5.s") == Millis(5'000));
    CHECK(parse_duration("2h45m30.5s") == Millis(9'930'500));
    CHECK(parse_duration("1500us") == Millis(1));
    CHECK(parse_duration("1500\xC2\xB5s") == Millis(1));  // µs, as Go spells it
    CHECK(parse_duration("2000000ns") == Millis(2));
    CHECK(parse_duration("1000h") == Millis(3'600'000'000));  // no cap of our own: options set their limits
    CHECK(parse_duration("2562047h") == Millis(9'223'369'200'000));
}

TEST_CASE("parse_duration rejects what Go's time.ParseDuration rejects, and negative values") {
    for (const auto* bad : {"", "s", "10x", "-5s", "1m30", " 5s", "5s ", "1..5s", ".s", "abc", "45", "1h 30m",
                            "2562048h", "5S", "1d", "-0", "+"}) {
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
