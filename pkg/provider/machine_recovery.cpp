// SPDX-License-Identifier: MIT
#include "pkg/provider/machine_recovery.hpp"

#include <spdlog/spdlog.h>

#include "pkg/core/errors.hpp"
#include "pkg/provider/compose_ports.hpp"

namespace dokploy_provider::provider {

MachineState known_state(MachineContext& ctx, const MachineRef& ref, const dokploy::Compose& compose) {
    if (ctx.paths) {
        if (auto state = read_machine_state(*ctx.paths); state && state->compose_id == compose.compose_id) {
            return *state;
        }
    }
    const auto ports = published_host_ports(compose.compose_file);
    if (ports.empty()) {
        throw core::Error("the compose file of " + compose.name +
                          " publishes no SSH port (was it edited in Dokploy?); delete the machine and create it again");
    }
    spdlog::debug("machine state recovered from Dokploy: {} publishes port {}", compose.name, ports.front());
    MachineState state;
    state.machine_id = ctx.machine_id;
    state.compose_id = compose.compose_id;
    state.app_name = compose.app_name;
    state.project_id = ref.home.project_id;
    state.environment_id = ref.home.environment_id;
    state.ssh_host = resolve_ssh_host(ctx.session);
    state.ssh_port = ports.front();
    return state;
}

}  // namespace dokploy_provider::provider
