// SPDX-License-Identifier: MIT
#include "pkg/core/errors.hpp"
#include "pkg/core/redact.hpp"
#include "pkg/provider/commands.hpp"
#include "pkg/provider/machine_state.hpp"
#include "pkg/provider/options.hpp"
#include "pkg/ssh/connection.hpp"
#include "pkg/ssh/local_ends.hpp"
#include "pkg/ssh/tunnel.hpp"

namespace dokploy_provider::provider {

int run_command(const core::EnvLookup& env) {
    ssh::ensure_standard_fds_open();  // a closed stdin must not become our SSH socket
    // Not needed here, but DevPod passes every option: make sure the token can never reach a log line.
    if (const auto token = env("DOKPLOY_API_TOKEN")) {
        core::register_secret(*token);
    }
    const MachinePaths paths{load_machine_folder(env)};
    const auto command = load_command(env);
    const auto state = read_machine_state(paths);
    if (!state) {
        throw core::SshError("machine state not found in MACHINE_FOLDER (" + paths.state_file().string() +
                             "); run `devpod up` (create) first");
    }
    const ssh::Endpoint endpoint{state->ssh_host, state->ssh_port, state->ssh_user};
    const ssh::Credentials credentials{paths.client_key(), paths.host_public_key()};
    auto connection = ssh::Connection::open(endpoint, credentials);
    return ssh::run_remote_command(connection, command);
}

}  // namespace dokploy_provider::provider
