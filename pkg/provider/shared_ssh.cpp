// SPDX-License-Identifier: MIT
#include "pkg/provider/shared_ssh.hpp"

#include "pkg/core/process.hpp"

namespace dokploy_provider::provider {

ssh::SharedPaths shared_paths(const MachinePaths& paths) {
    return {paths.folder / "ssh-master.sock", paths.folder / "ssh-master.lock", paths.folder / "ssh-master.log"};
}

std::optional<ssh::SharedSettings> shared_settings(const MachinePaths& paths, const MachineState& state,
                                                   core::Millis idle_exit) {
    if (idle_exit.count() == 0) {
        return std::nullopt;
    }
    auto executable = core::current_executable();
    if (!executable) {
        return std::nullopt;
    }
    ssh::SharedSettings settings;
    settings.paths = shared_paths(paths);
    settings.executable = std::move(*executable);
    settings.endpoint = {state.ssh_host, state.ssh_port, state.ssh_user};
    settings.credentials = {paths.client_key(), paths.host_public_key()};
    settings.idle_exit = idle_exit;
    return settings;
}

void end_shared_connection(const core::EnvLookup& env) {
    if (const auto folder = env("MACHINE_FOLDER"); folder && !folder->empty()) {
        ssh::end_shared(shared_paths(MachinePaths{*folder}));
    }
}

int run_ssh_master(const MasterArguments& arguments) {
    ssh::SharedSettings settings;
    settings.paths.socket = arguments.socket;
    settings.endpoint = arguments.endpoint;
    settings.credentials = arguments.credentials;
    settings.connect.connect_timeout = arguments.connect_timeout;
    settings.idle_exit = arguments.idle_exit;
    return ssh::run_master(settings, arguments.ready_fd);
}

}  // namespace dokploy_provider::provider
