// SPDX-License-Identifier: MIT
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace dokploy_provider::core {

// Looks up an environment variable. DevPod passes an option that resolved to nothing as `KEY=`, so an
// empty value is reported as unset (std::nullopt).
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// The process environment, with empty values treated as unset.
[[nodiscard]] std::optional<std::string> process_env(std::string_view name);

// True when DevPod runs in debug mode: `DEVPOD_DEBUG=true`, or `DEVSY_DEBUG=true` from the maintained fork.
[[nodiscard]] bool devpod_debug_enabled(const EnvLookup& env);

}  // namespace dokploy_provider::core
