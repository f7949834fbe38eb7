// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dokploy_provider::provider {

// Everything that varies between workspaces' compose files.
struct WorkspaceSpec {
    std::string machine_id;
    std::string image;
    int ssh_port = 0;
    std::string authorized_keys;  // OpenSSH public key line(s) allowed to log in as root
    std::string host_key_base64;  // base64 of the OpenSSH private host key sshd must use
    std::optional<std::string> cpus;
    std::optional<std::string> memory;
    std::optional<std::string> gpus;  // "all" or a count: an NVIDIA device reservation
};

// Renders the workspace's Docker Compose file from the embedded template. Every value is emitted as a
// double-quoted YAML scalar (JSON escaping, '$' doubled against Compose interpolation), so no input can
// add YAML keys or reach a shell.
[[nodiscard]] std::string render_compose_file(const WorkspaceSpec& spec);

// A double-quoted YAML scalar for `value`, safe from Compose's ${VAR} interpolation.
[[nodiscard]] std::string compose_scalar(std::string_view value);

}  // namespace dokploy_provider::provider
