// SPDX-License-Identifier: MIT
// Fuzzes the compose-file port scanner: any text, no crash, ports always within 1-65535, sorted, unique.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "pkg/provider/compose_ports.hpp"

int dp_fuzz_compose_ports(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto ports = dokploy_provider::provider::published_host_ports(text);
    if (!std::is_sorted(ports.begin(), ports.end()) ||
        std::adjacent_find(ports.begin(), ports.end()) != ports.end() ||
        std::any_of(ports.begin(), ports.end(), [](int p) { return p < 1 || p > 65535; })) {
        std::abort();
    }
    return 0;
}

#ifndef DP_FUZZ_NO_MAIN
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return dp_fuzz_compose_ports(data, size);
}
#endif
