// SPDX-License-Identifier: MIT
// Machines are Linux containers: a Windows binary never runs inside one.
#include "pkg/core/errors.hpp"
#include "pkg/provider/self_stop.hpp"

namespace dokploy_provider::provider {

bool inside_workspace_machine() { return false; }

void stop_machine_from_inside() {
    throw core::Error("stop --from-machine runs inside a machine (Linux); this is Windows");
}

}  // namespace dokploy_provider::provider
