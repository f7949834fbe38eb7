// SPDX-License-Identifier: MIT
#include "pkg/provider/port_allocator.hpp"

#include <cstdint>

namespace dokploy_provider::provider {
namespace {

// FNV-1a: stable across platforms and releases, unlike std::hash.
std::uint32_t stable_hash(std::string_view text) {
    std::uint32_t hash = 2166136261U;
    for (const char c : text) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 16777619U;
    }
    return hash;
}

}  // namespace

std::vector<int> candidate_ports(const PortRange& range, std::string_view machine_id) {
    const auto size = static_cast<std::uint32_t>(range.high - range.low + 1);
    const auto offset = stable_hash(machine_id) % size;
    std::vector<int> ports;
    ports.reserve(size);
    for (std::uint32_t i = 0; i < size; ++i) {
        ports.push_back(range.low + static_cast<int>((offset + i) % size));
    }
    return ports;
}

std::optional<int> pick_port(const PortRange& range, std::string_view machine_id, const std::set<int>& taken,
                             const PortProbe& probe) {
    for (const int port : candidate_ports(range, machine_id)) {
        if (!taken.contains(port) && probe(port)) {
            return port;
        }
    }
    return std::nullopt;
}

}  // namespace dokploy_provider::provider
