// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace dokploy_provider::provider {

// The host ports a Docker Compose file publishes, from short syntax ("2222:22", "127.0.0.1:2222:22/tcp",
// "8000-8010:8000-8010", flow sequences) and long syntax ("published: 2222"). Errs on the side of
// reporting a port: a false positive only makes the allocator skip it. Never throws; sorted, unique.
[[nodiscard]] std::vector<int> published_host_ports(std::string_view compose_file);

// The host port the compose file maps to container port 22 (short syntax, as the provider writes it and
// Dokploy re-serialises it: "2222:22", "127.0.0.1:2222:22", "2222:22/tcp", quoted or not). std::nullopt
// when there is none. Other published ports (a "3000:3000" added in Dokploy) are never taken for it.
[[nodiscard]] std::optional<int> published_ssh_port(std::string_view compose_file);

}  // namespace dokploy_provider::provider
