// SPDX-License-Identifier: MIT
#include "pkg/provider/machine_recovery.hpp"

#include <spdlog/spdlog.h>

#include "pkg/core/errors.hpp"
#include "pkg/provider/compose_ports.hpp"
#include "pkg/provider/machine_keys.hpp"
#include "pkg/provider/ownership.hpp"

namespace dokploy_provider::provider {

namespace {

// The service the state file names, read with compose.one. `gone` is set when Dokploy does not know it.
std::optional<FoundMachine> by_state_file(MachineContext& ctx, bool& gone) {
    const auto& state = ctx.saved_state;
    if (!state || state->machine_id != ctx.machine_id) {
        return std::nullopt;
    }
    auto compose = ctx.session.client().find_compose(state->compose_id);
    if (!compose) {
        gone = true;
        spdlog::debug("Dokploy does not know the compose service {} of the state file", state->compose_id);
        return std::nullopt;
    }
    if (compose->name != service_name(ctx.machine_id)) {
        spdlog::debug("the state file names {}, which is not machine {}'s service", compose->name, ctx.machine_id);
        return std::nullopt;
    }
    const WorkspaceHome home{compose->project_id.empty() ? state->project_id : compose->project_id,
                             compose->environment_id.empty() ? state->environment_id : compose->environment_id};
    const dokploy::ComposeSummary summary{compose->compose_id,     compose->name,      compose->app_name,
                                          compose->compose_status, compose->server_id, compose->created_at};
    return FoundMachine{{summary, home}, std::move(*compose), true};
}

std::optional<FoundMachine> by_search(MachineContext& ctx) {
    auto& client = ctx.session.client();
    const auto ref = find_machine(client, ctx.session.options(), ctx.machine_id);
    auto compose = ref ? client.find_compose(ref->compose.compose_id) : std::nullopt;
    if (!compose) {
        return std::nullopt;
    }
    return FoundMachine{*ref, std::move(*compose), false};
}

}  // namespace

std::optional<FoundMachine> find_own_machine(MachineContext& ctx, OwnerCheck check, StaleState stale) {
    bool gone = false;
    auto found = by_state_file(ctx, gone);
    if (!found && !(gone && stale == StaleState::gone)) {
        found = by_search(ctx);
    }
    if (!found || check == OwnerCheck::skip) {
        return found;
    }
    const auto& compose = found->compose;
    const auto key = ctx.paths ? read_client_public_key(*ctx.paths) : std::nullopt;
    if (!key && check == OwnerCheck::not_found) {
        spdlog::debug("no machine key in MACHINE_FOLDER: cannot tell whose {} is", compose.name);
        return found;
    }
    const auto owner = ownership_of(compose.compose_file, key.value_or(""));
    if (owner != Ownership::theirs) {
        return found;
    }
    if (check == OwnerCheck::not_found) {
        spdlog::info("{}", not_ours_message(compose.name, ctx.session.options().project_name));
        return std::nullopt;
    }
    throw core::Error(not_ours_message(compose.name, ctx.session.options().project_name));
}

MachineState known_state(MachineContext& ctx, const MachineRef& ref, const dokploy::Compose& compose) {
    if (ctx.paths) {
        if (auto state = read_machine_state(*ctx.paths); state && state->compose_id == compose.compose_id) {
            return with_known_layout(ctx.session, std::move(*state));
        }
    }
    const auto port = published_ssh_port(compose.compose_file);
    if (!port) {
        throw core::Error("the compose file of " + compose.name +
                          " maps no host port to SSH (container port 22; was it edited in Dokploy?); delete the "
                          "machine and create it again");
    }
    spdlog::debug("machine state recovered from Dokploy: {} maps port {} to SSH", compose.name, *port);
    MachineState state;
    state.machine_id = ctx.machine_id;
    state.compose_id = compose.compose_id;
    state.app_name = compose.app_name;
    state.project_id = ref.home.project_id;
    state.environment_id = ref.home.environment_id;
    state.ssh_host = resolve_ssh_host(ctx.session);
    state.ssh_port = *port;
    return with_known_layout(ctx.session, std::move(state));
}

}  // namespace dokploy_provider::provider
