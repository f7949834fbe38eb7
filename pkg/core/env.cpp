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
    // DEVSY_DEBUG: the name the maintained DevPod fork (devsy) passes.
    for (const auto* name : {"DEVPOD_DEBUG", "DEVSY_DEBUG"}) {
        if (const auto value = env(name); value && (*value == "true" || *value == "1")) {
            return true;
        }
    }
    return false;
}

}  // namespace dokploy_provider::core
