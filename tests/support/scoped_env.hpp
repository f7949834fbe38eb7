// SPDX-License-Identifier: MIT
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "pkg/core/env.hpp"

namespace dokploy_provider::testing {

// An in-memory environment for tests: `lookup()` behaves like core::process_env (empty means unset)
// without touching the real process environment.
class FakeEnv {
public:
    FakeEnv() = default;
    FakeEnv(std::initializer_list<std::pair<const std::string, std::string>> values) : m_values(values) {}

    FakeEnv& set(const std::string& name, const std::string& value) {
        m_values[name] = value;
        return *this;
    }
    FakeEnv& unset(const std::string& name) {
        m_values.erase(name);
        return *this;
    }
    [[nodiscard]] core::EnvLookup lookup() const {
        return [values = m_values](std::string_view name) -> std::optional<std::string> {
            const auto it = values.find(std::string(name));
            if (it == values.end() || it->second.empty()) {
                return std::nullopt;
            }
            return it->second;
        };
    }

private:
    std::map<std::string, std::string> m_values;
};

}  // namespace dokploy_provider::testing
