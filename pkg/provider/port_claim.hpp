// SPDX-License-Identifier: MIT
#pragma once

#include <set>
#include <string>

#include "pkg/provider/options.hpp"

namespace dokploy_provider::provider {

// Chooses an SSH host port for the machine without asking Dokploy (no request, however many services it
// holds): the first port of the machine's candidate order (port_allocator.hpp) that is not in `excluded` and
// that nothing answers on `ssh_host` (a short TCP probe, which skips every running service's port). Docker
// settles the rest when the service is deployed: of two machines saved with one port (two creates at once,
// or a port a stopped service publishes), only the first deploy binds it; the other fails with "port is
// already allocated" and deploy_until_ready moves it to the next port. Throws core::Error when no port of
// the range is left.
[[nodiscard]] int choose_port(const Options& options, const std::string& machine_id, const std::string& ssh_host,
                              const std::set<int>& excluded);

}  // namespace dokploy_provider::provider
