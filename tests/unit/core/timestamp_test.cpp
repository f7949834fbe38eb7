// SPDX-License-Identifier: MIT
#include "pkg/core/timestamp.hpp"

#include "tests/support/catch.hpp"

using dokploy_provider::core::format_iso8601;
using dokploy_provider::core::parse_iso8601;

TEST_CASE("parse_iso8601 reads Dokploy's timestamps") {
    const auto t = parse_iso8601("2026-11-23T05:00:01.250Z");
    REQUIRE(t.has_value());
    CHECK(format_iso8601(*t) == "2026-11-23T05:00:01.250Z");
    CHECK(parse_iso8601("2026-11-23T05:00:01Z") < t);
    CHECK(parse_iso8601("2026-11-23 05:00:01.250+00:00") == t);
    CHECK(parse_iso8601("2026-11-23T05:00:01.25") == t);
    CHECK(parse_iso8601("1970-01-01T00:00:00.000Z")->time_since_epoch().count() == 0);
}

TEST_CASE("parse_iso8601 rejects what is not a UTC timestamp") {
    for (const auto* bad : {"", "yesterday", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-11-23T25:00:00Z",
                            "2026-11-23T05:00:00+02:00", "2026/11/23T05:00:00Z", "2026-11-23T05:00"}) {
        INFO(bad);
        CHECK_FALSE(parse_iso8601(bad).has_value());
    }
}
