// SPDX-License-Identifier: MIT
#pragma once

#include "pkg/dokploy/models.hpp"
#include "pkg/provider/machine_context.hpp"
#include "pkg/provider/machine_locator.hpp"
#include "pkg/provider/machine_state.hpp"

namespace dokploy_provider::provider {

// The machine's state: from the state file when it describes this compose service, else recovered from
// Dokploy (ids from the look-up, the SSH port from the compose file, the host from the options).
// Throws core::Error when the compose file publishes no SSH port (it was edited by hand).
[[nodiscard]] MachineState known_state(MachineContext& ctx, const MachineRef& ref, const dokploy::Compose& compose);

}  // namespace dokploy_provider::provider
