// SPDX-License-Identifier: MIT
#include <spdlog/spdlog.h>

#include "pkg/core/errors.hpp"
#include "pkg/core/redact.hpp"
#include "pkg/provider/commands.hpp"
#include "pkg/provider/machine_context.hpp"
#include "pkg/provider/machine_recovery.hpp"
#include "pkg/provider/machine_state.hpp"
#include "pkg/provider/options.hpp"
#include "pkg/provider/shared_ssh.hpp"
#include "pkg/ssh/connection.hpp"
#include "pkg/ssh/local_ends.hpp"
#include "pkg/ssh/shared_connection.hpp"
#include "pkg/ssh/tunnel.hpp"

namespace dokploy_provider::provider {

namespace {

// The state file lost (a failed create of an earlier version removed it, a hand-cleaned folder): rebuilt from
// Dokploy with the options DevPod passes to every call, and saved for the next command.
MachineState recovered_state(const core::EnvLookup& env, const MachinePaths& paths) {
    const auto unrecoverable = [&](const std::string& why) {
        return core::SshError("machine state not found in MACHINE_FOLDER (" + paths.state_file().string() +
                              ") and it cannot be recovered from Dokploy: " + why + "; run `devpod up` (create)");
    };
    auto ctx = [&] {
        try {
            return load_machine_context(env, FolderNeed::required);
        } catch (const core::ConfigError& error) {
            throw unrecoverable(error.what());
        }
    }();
    ctx.session.limit_api_time();
    const auto found = find_own_machine(ctx, OwnerCheck::refuse);
    if (!found) {
        throw unrecoverable("machine " + ctx.machine_id + " does not exist there");
    }
    auto state = known_state(ctx, found->ref, found->compose);
    write_machine_state(paths, state);
    spdlog::info("recovered the machine state of {} from Dokploy (SSH on {}:{})", ctx.machine_id, state.ssh_host,
                 state.ssh_port);
    return state;
}

}  // namespace

int run_command(const core::EnvLookup& env) {
    ssh::ensure_standard_fds_open();  // a closed stdin must not become our SSH socket
    // DevPod passes every option: make sure the token can never reach a log line, even before it is loaded.
    if (const auto token = env("DOKPLOY_API_TOKEN")) {
        core::register_secret(*token);
    }
    const MachinePaths paths{load_machine_folder(env)};
    const auto command = load_command(env);
    const auto control_persist = load_control_persist(env);
    auto state = read_machine_state(paths);
    if (!state) {
        state = recovered_state(env, paths);
    }
    if (const auto shared = shared_settings(paths, *state, control_persist)) {
        if (const auto code = ssh::run_shared(*shared, command)) {
            return *code;
        }
    }
    const ssh::Endpoint endpoint{state->ssh_host, state->ssh_port, state->ssh_user};
    const ssh::Credentials credentials{paths.client_key(), paths.host_public_key()};
    auto connection = ssh::Connection::open(endpoint, credentials);
    return ssh::run_remote_command(connection, command);
}

}  // namespace dokploy_provider::provider
