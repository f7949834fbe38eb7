// SPDX-License-Identifier: MIT
// Subcommands whose behaviour later issues deliver. They fail clearly instead of pretending to succeed.
#include "pkg/core/errors.hpp"
#include "pkg/provider/commands.hpp"

namespace dokploy_provider::provider {
namespace {

[[noreturn]] void not_implemented(const char* name) {
    throw core::Error(std::string(name) + " is not implemented yet in this version of dokploy-provider");
}

}  // namespace

int run_create(const core::EnvLookup& /*env*/) { not_implemented("create"); }
int run_delete(const core::EnvLookup& /*env*/) { not_implemented("delete"); }
int run_start(const core::EnvLookup& /*env*/) { not_implemented("start"); }
int run_stop(const core::EnvLookup& /*env*/) { not_implemented("stop"); }
int run_status(const core::EnvLookup& /*env*/) { not_implemented("status"); }
int run_init(const core::EnvLookup& /*env*/) { not_implemented("init"); }

}  // namespace dokploy_provider::provider
