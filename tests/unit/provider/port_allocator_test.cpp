// SPDX-License-Identifier: MIT
#include "pkg/provider/port_allocator.hpp"

#include <algorithm>

#include "tests/support/catch.hpp"

namespace provider = dokploy_provider::provider;

TEST_CASE("candidate ports cover the range once, from a machine-specific offset") {
    const provider::PortRange range{2222, 2322};
    const auto ports = provider::candidate_ports(range, "ws-a");
    REQUIRE(ports.size() == 101);
    auto sorted = ports;
    std::sort(sorted.begin(), sorted.end());
    CHECK(sorted.front() == 2222);
    CHECK(sorted.back() == 2322);
    CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());
    CHECK(provider::candidate_ports(range, "ws-a") == ports);  // deterministic
    CHECK(provider::candidate_ports(range, "ws-b").front() != ports.front());
    CHECK(provider::candidate_ports({3000, 3000}, "x") == std::vector<int>{3000});
}

TEST_CASE("pick_port skips taken ports and ports that answer the probe") {
    const provider::PortRange range{4000, 4003};
    const auto order = provider::candidate_ports(range, "m");
    const std::set<int> taken{order[0]};
    const auto busy = order[1];
    const auto port = provider::pick_port(range, "m", taken, [&](int p) { return p != busy; });
    CHECK(port == order[2]);
    CHECK_FALSE(provider::pick_port(range, "m", {4000, 4001, 4002, 4003}, [](int) { return true; }).has_value());
    CHECK_FALSE(provider::pick_port(range, "m", {}, [](int) { return false; }).has_value());
}
