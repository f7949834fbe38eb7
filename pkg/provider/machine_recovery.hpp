// SPDX-License-Identifier: MIT
#pragma once

#include "pkg/dokploy/models.hpp"
#include "pkg/provider/machine_context.hpp"
#include "pkg/provider/machine_locator.hpp"
#include "pkg/provider/machine_state.hpp"

namespace dokploy_provider::provider {

// A machine's compose service, read in full (compose.one), with where it was found.
struct FoundMachine {
    MachineRef ref;
    dokploy::Compose compose;
    bool by_state_file = false;  // found by the composeId of the state file, not by a search
};

// What a state file whose service Dokploy does not know (404) means.
enum class StaleState {
    gone,    // the machine is gone (status, start, stop, delete)
    search,  // search by name (create: a re-run must find a service made without a state file)
};

// What to do about a service of the machine's name that another DevPod owns (ownership.hpp).
enum class OwnerCheck {
    refuse,     // create, start, stop, delete: throw core::Error naming the ways out
    not_found,  // status: for this DevPod the machine does not exist
    skip,       // stop inside the machine itself (no keys there; the machine is its own)
};

// Finds the machine's service and reads it: with a state file, directly by its composeId (one compose.one,
// however many services Dokploy holds); without one, by searching project.all for its name. std::nullopt
// when there is none (see StaleState), or when it is another DevPod's and `check` is not_found. Ownership is
// proven with MACHINE_FOLDER's client key: without one (a folder that lost its keys), a deployed service
// counts as another DevPod's, except for status, which then cannot tell and reports it. Throws core::Error
// on API failures and as `check` says.
[[nodiscard]] std::optional<FoundMachine> find_own_machine(MachineContext& ctx, OwnerCheck check,
                                                           StaleState stale = StaleState::gone);

// The machine's state: from the state file when it describes this compose service, else recovered from
// Dokploy (ids from the look-up, the SSH port from the compose file, the host from the options).
// Throws core::Error when the compose file publishes no SSH port (it was edited by hand).
[[nodiscard]] MachineState known_state(MachineContext& ctx, const MachineRef& ref, const dokploy::Compose& compose);

}  // namespace dokploy_provider::provider
