// SPDX-License-Identifier: MIT
// Stopping a machine from inside it without Dokploy: DevPod's auto-stop hook runs `stop --from-machine` in
// the machine, where Dokploy's URL may not be reachable and the laptop's files are absent. The workspace's
// entrypoint (templates/setup.sh.tmpl) is the container's PID 1; on SIGUSR1 it stops sshd and dockerd and
// exits 0, which the compose file's `restart: on-failure` leaves stopped until the next `start`.
#pragma once

#include <string_view>

namespace dokploy_provider::provider {

// The name the entrypoint runs under ($0 of `bash -c <script> dokploy-workspace`): the last word of PID 1's
// command line inside a machine.
inline constexpr std::string_view k_entrypoint_name = "dokploy-workspace";

// True when `cmdline` (the NUL-separated /proc/<pid>/cmdline) is the workspace entrypoint's: a shell run as
// `<shell> -c <script> dokploy-workspace`.
[[nodiscard]] bool is_workspace_entrypoint(std::string_view cmdline);

// True when PID 1 of this process's PID namespace is the workspace entrypoint, i.e. this runs inside a
// dokploy-provider machine. Always false outside Linux.
[[nodiscard]] bool inside_workspace_machine();

// Asks PID 1 (the entrypoint) to end the machine. Throws core::Error when this is not inside a machine or
// the request cannot be delivered.
void stop_machine_from_inside();

}  // namespace dokploy_provider::provider
