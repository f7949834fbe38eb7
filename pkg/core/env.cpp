// SPDX-License-Identifier: MIT
#include "pkg/core/env.hpp"

#include <cstdlib>

namespace dokploy_provider::core {

std::optional<std::string> process_env(std::string_view name) {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr || *value == '\0') {
        return std::nullopt;
    }
    return std::string(value);
}

bool devpod_debug_enabled(const EnvLookup& env) {
    const auto value = env("DEVPOD_DEBUG");
    return value && (*value == "true" || *value == "1");
}

}  // namespace dokploy_provider::core
