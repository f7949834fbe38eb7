// SPDX-License-Identifier: MIT
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include "pkg/provider/options.hpp"

namespace dokploy_provider::provider {

// Every port of `range`, starting at an offset derived from the machine id (so that machines created at the
// same moment start from different ports) and wrapping around. Deterministic.
[[nodiscard]] std::vector<int> candidate_ports(const PortRange& range, std::string_view machine_id);

// Asks whether a port is free on the SSH host (a short TCP probe: false when something answers).
using PortProbe = std::function<bool(int port)>;

// The first candidate port that is neither in `taken` (published by other compose services on the same
// Dokploy server, or rejected earlier) nor answered by `probe`. std::nullopt when the range is exhausted.
[[nodiscard]] std::optional<int> pick_port(const PortRange& range, std::string_view machine_id,
                                           const std::set<int>& taken, const PortProbe& probe);

}  // namespace dokploy_provider::provider
