// SPDX-License-Identifier: MIT
#include "pkg/provider/status_logic.hpp"

#include "pkg/core/errors.hpp"

namespace dokploy_provider::provider {

std::string_view status_word(MachineStatus status) {
    switch (status) {
        case MachineStatus::running:
            return "Running";
        case MachineStatus::busy:
            return "Busy";
        case MachineStatus::stopped:
            return "Stopped";
        case MachineStatus::not_found:
            return "NotFound";
    }
    return "NotFound";
}

MachineStatus decide_status(const StatusFacts& facts) {
    if (!facts.compose_status) {
        return MachineStatus::not_found;
    }
    const auto& status = *facts.compose_status;
    if (status == "idle" || status == "error") {
        return MachineStatus::stopped;
    }
    if (status != "running" && status != "done") {
        throw core::Error("Dokploy reported an unknown composeStatus '" + status + "' for the machine");
    }
    if (status == "done" && facts.ssh_ready) {
        return MachineStatus::running;
    }
    if (status == "done" && facts.containers_exited) {
        return MachineStatus::stopped;
    }
    if (facts.since_last_start > facts.create_timeout) {
        const auto what = status == "running" ? std::string("its deploy has been running")
                                              : std::string("it is deployed but its SSH port has not answered");
        throw core::Error("machine not ready: " + what + " for " + core::format_duration(facts.since_last_start) +
                          " since its last start, more than DOKPLOY_CREATE_TIMEOUT (" +
                          core::format_duration(facts.create_timeout) +
                          "); check the service's deployments and logs in Dokploy, then run `devpod stop` and `devpod up`");
    }
    return MachineStatus::busy;
}

}  // namespace dokploy_provider::provider
