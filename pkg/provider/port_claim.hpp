// SPDX-License-Identifier: MIT
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>

#include "pkg/dokploy/client.hpp"
#include "pkg/provider/options.hpp"

namespace dokploy_provider::provider {

// A compose service that publishes a port; the oldest claimant of a port keeps it.
struct PortClaimant {
    std::string created_at;
    std::string compose_id;
    friend auto operator<=>(const PortClaimant&, const PortClaimant&) = default;
};

// The host ports published by every compose service on the Dokploy server `server_id` ("" = Dokploy's own
// host), other than `own_compose_id`, with their oldest claimant. Reads each compose file (compose.one).
[[nodiscard]] std::map<int, PortClaimant> ports_in_use(dokploy::Client& client, const std::string& server_id,
                                                       const std::string& own_compose_id);

// Chooses a free SSH host port for the machine: skips the ports other services publish and those in
// `excluded`, then confirms with a short TCP probe on `ssh_host`. Throws core::Error when the range is full.
[[nodiscard]] int choose_port(dokploy::Client& client, const Options& options, const std::string& machine_id,
                              const std::string& ssh_host, const std::string& own_compose_id,
                              const std::set<int>& excluded);

// After our compose file was saved with `port`: true when an older service claims the same port (two
// creates raced); the younger one must then pick again.
[[nodiscard]] bool lost_port_race(dokploy::Client& client, const std::string& server_id, int port,
                                  const PortClaimant& us);

}  // namespace dokploy_provider::provider
