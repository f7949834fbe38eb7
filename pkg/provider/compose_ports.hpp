// SPDX-License-Identifier: MIT
#pragma once

#include <string_view>
#include <vector>

namespace dokploy_provider::provider {

// The host ports a Docker Compose file publishes, from short syntax ("2222:22", "127.0.0.1:2222:22/tcp",
// "8000-8010:8000-8010", flow sequences) and long syntax ("published: 2222"). Errs on the side of
// reporting a port: a false positive only makes the allocator skip it. Never throws; sorted, unique.
[[nodiscard]] std::vector<int> published_host_ports(std::string_view compose_file);

}  // namespace dokploy_provider::provider
