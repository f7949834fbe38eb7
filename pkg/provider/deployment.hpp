// SPDX-License-Identifier: MIT
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "pkg/dokploy/models.hpp"
#include "pkg/provider/machine_context.hpp"
#include "pkg/provider/machine_keys.hpp"
#include "pkg/provider/machine_locator.hpp"

namespace dokploy_provider::provider {

// The compose service a create (or a start that must move) deploys, and where it lives.
struct DeployTarget {
    dokploy::Compose compose;
    WorkspaceHome home;
};

// The compose file the machine's options ask for, with its keys and SSH host port `port`.
[[nodiscard]] std::string render_machine_compose(const MachineContext& ctx, const WorkspaceKeys& keys, int port);

// Renders the machine's compose file with an SSH host port, saves it, deploys it (titled "<title_prefix>
// <time>") and waits until SSH answers with the pinned key, writing the state file on the way. The port is
// the compose file's own when it is in DOKPLOY_SSH_PORT_RANGE and not `excluded`, else a free one
// (port_claim.hpp); a deploy that fails because the port is taken (also by a machine saved with the same port
// at the same time, whose deploy came first) moves to another port, up to 5 ports. The
// whole wait is bounded by DOKPLOY_CREATE_TIMEOUT. A machine that already runs exactly this file and
// answers SSH is left alone. Throws core::Error with the reason (deploy log, timeout, no free port).
void deploy_until_ready(MachineContext& ctx, DeployTarget& target, const WorkspaceKeys& keys,
                        const std::string& ssh_host, std::string_view title_prefix, std::set<int> excluded);

}  // namespace dokploy_provider::provider
