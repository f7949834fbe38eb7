// SPDX-License-Identifier: MIT
#include "pkg/core/errors.hpp"
#include "pkg/provider/commands.hpp"

namespace dokploy_provider::provider {

int run_command(const core::EnvLookup& /*env*/) {
    throw core::Error("command is not implemented yet in this version of dokploy-provider");
}

}  // namespace dokploy_provider::provider
