// SPDX-License-Identifier: MIT
// Fuzzes option loading: the input is "NAME=value" lines; loading either succeeds with values that satisfy
// the documented rules or throws core::ConfigError. Nothing else may escape.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "pkg/core/duration.hpp"
#include "pkg/core/errors.hpp"
#include "pkg/core/redact.hpp"
#include "pkg/provider/options.hpp"

namespace {

std::map<std::string, std::string> parse_lines(std::string_view text) {
    std::map<std::string, std::string> values;
    while (!text.empty()) {
        const auto end = text.find('\n');
        const auto line = text.substr(0, end);
        if (const auto eq = line.find('='); eq != std::string_view::npos) {
            values[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
        }
        if (end == std::string_view::npos) {
            break;
        }
        text.remove_prefix(end + 1);
    }
    return values;
}

}  // namespace

int dp_fuzz_options(const std::uint8_t* data, std::size_t size) {
    namespace provider = dokploy_provider::provider;
    namespace core = dokploy_provider::core;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto values = parse_lines(text);
    const core::EnvLookup env = [&](std::string_view name) -> std::optional<std::string> {
        const auto it = values.find(std::string(name));
        return it == values.end() || it->second.empty() ? std::nullopt : std::optional<std::string>(it->second);
    };
    (void)core::parse_duration(text);
    (void)provider::parse_port_range(text);
    try {
        const auto options = provider::load_options(env);
        const auto& range = options.ssh_port_range;
        if (range.low < 1024 || range.high > 65535 || range.low > range.high || options.api_token.empty() ||
            options.project_name.empty() || options.request_timeout.count() < 1000) {
            std::abort();
        }
    } catch (const core::ConfigError&) {
    }
    try {
        const auto id = provider::load_machine_id(env);
        if (id.empty() || id.size() > 48 || id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos) {
            std::abort();
        }
    } catch (const core::ConfigError&) {
    }
    core::clear_secrets();
    return 0;
}

#ifndef DP_FUZZ_NO_MAIN
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return dp_fuzz_options(data, size);
}
#endif
