// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "pkg/dokploy/client.hpp"
#include "pkg/provider/options.hpp"

namespace dokploy_provider::provider {

// Where workspaces live: the project DOKPLOY_PROJECT_NAME and, on current Dokploy, its environment
// DOKPLOY_ENVIRONMENT_NAME (environment_id is empty on the legacy v0.22 layout).
struct WorkspaceHome {
    std::string project_id;
    std::string environment_id;
};

// A machine's compose service and where it was found.
struct MachineRef {
    dokploy::ComposeSummary compose;
    WorkspaceHome home;
};

// The Dokploy compose service name of a machine: "devpod-<MACHINE_ID>" (MACHINE_ID is [a-z0-9-], <= 48).
[[nodiscard]] std::string service_name(std::string_view machine_id);

// Finds the machine's compose service in every project named DOKPLOY_PROJECT_NAME and every environment
// named DOKPLOY_ENVIRONMENT_NAME in them (Dokploy does not enforce unique names, so racing creates can
// duplicate them). When several services match, the oldest by createdAt wins. std::nullopt: no such machine.
// Throws on API failures: a failed look-up is never "not found".
[[nodiscard]] std::optional<MachineRef> find_machine(dokploy::Client& client, const Options& options,
                                                     std::string_view machine_id);

// Finds the project and environment, creating what is missing. Converges deterministically when racing
// creates made duplicates: the oldest by createdAt is used, and a duplicate this call created is removed.
[[nodiscard]] WorkspaceHome ensure_home(dokploy::Client& client, const Options& options);

}  // namespace dokploy_provider::provider
