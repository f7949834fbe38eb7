// SPDX-License-Identifier: MIT
// Fuzzes the base-URL parser: accepted URLs re-parse to the same thing; rejected ones carry a reason.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "pkg/http/url.hpp"

int dp_fuzz_url(const std::uint8_t* data, std::size_t size) {
    namespace http = dokploy_provider::http;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto parsed = http::parse_url(text);
    if (!parsed.url) {
        if (parsed.error.empty()) {
            std::abort();
        }
        return 0;
    }
    const auto again = http::parse_url(parsed.url->to_string());
    if (!again.url || again.url->to_string() != parsed.url->to_string() || again.url->host != parsed.url->host ||
        again.url->port != parsed.url->port || again.url->path_prefix != parsed.url->path_prefix) {
        std::abort();
    }
    return 0;
}

#ifndef DP_FUZZ_NO_MAIN
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return dp_fuzz_url(data, size);
}
#endif
