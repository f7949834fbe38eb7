// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "pkg/core/duration.hpp"
#include "pkg/core/env.hpp"
#include "pkg/http/url.hpp"

namespace dokploy_provider::provider {

inline constexpr const char* k_default_workspace_image = "cruizba/ubuntu-dind:noble-26.1.4";

// The accepted range of a duration option.
struct DurationLimits {
    core::Millis minimum;
    core::Millis maximum;
};

inline constexpr DurationLimits k_request_timeout_limits{core::Millis(1'000), core::Millis(3'600'000)};    // 1s-1h
inline constexpr DurationLimits k_create_timeout_limits{core::Millis(10'000), core::Millis(86'400'000)};   // 10s-24h
inline constexpr DurationLimits k_inactivity_limits{core::Millis(60'000), core::Millis(8'760LL * 3'600'000)};  // 1m-1y
inline constexpr DurationLimits k_control_persist_limits{core::Millis(0), core::Millis(86'400'000)};  // 0 (off)-24h

struct PortRange {
    int low = 2222;
    int high = 2322;
    friend bool operator==(const PortRange&, const PortRange&) = default;
};

// Every provider option, validated. Loaded once per process by load_options().
struct Options {
    http::Url server_url;
    std::string api_token;  // secret: registered with core::register_secret() when loaded
    std::string project_name = "devpod-workspaces";
    std::string environment_name = "production";
    std::optional<std::string> server_id;
    std::optional<std::string> ssh_host;  // explicit DOKPLOY_SSH_HOST; see effective default in the README
    PortRange ssh_port_range;
    std::string workspace_image = k_default_workspace_image;
    std::optional<std::string> machine_cpus;    // e.g. "2", "0.5"
    std::optional<std::string> machine_memory;  // e.g. "4g", "512m"
    std::optional<std::string> machine_gpus;    // "all" or a count, e.g. "1"
    std::optional<std::filesystem::path> ca_file;
    core::Millis request_timeout{30'000};
    core::Millis create_timeout{600'000};
    core::Millis inactivity_timeout{1'800'000};  // DevPod's agent stops an idle machine after this
    core::Millis control_persist{600'000};       // a machine's shared SSH connection outlives its last command by this
};

// Loads and validates the DOKPLOY_* options. Empty variables count as unset. Throws core::ConfigError
// naming the variable and the fix for the first bad value. Registers the token as a secret.
[[nodiscard]] Options load_options(const core::EnvLookup& env);

// How long one API call with its retries may take, and all API work of init, status, stop and delete
// together: 2 x DOKPLOY_TIMEOUT.
[[nodiscard]] inline core::Millis api_time_budget(const Options& options) { return options.request_timeout * 2; }

// True when `url` is plain http:// to anything but this computer (localhost, 127.0.0.0/8, ::1): the API key
// and each machine's private SSH host key (inside compose.update) would cross the network unencrypted.
[[nodiscard]] bool unencrypted_to_another_host(const http::Url& url);

// One warning line for such a URL (init and create say it once per run).
void warn_if_unencrypted(const Options& options);

// MACHINE_ID: required, [a-z0-9-], 1-48 characters, starting with a letter or digit. Throws ConfigError.
[[nodiscard]] std::string load_machine_id(const core::EnvLookup& env);

// MACHINE_FOLDER: required, an absolute path. Throws ConfigError.
[[nodiscard]] std::filesystem::path load_machine_folder(const core::EnvLookup& env);

// DOKPLOY_SSH_CONTROL_PERSIST (0 to 24h; unset or empty: 10m): how long `command`'s shared SSH connection to a
// machine stays up after its last command; 0 turns connection reuse off. Throws ConfigError.
[[nodiscard]] core::Millis load_control_persist(const core::EnvLookup& env);

// COMMAND: required, non-empty. Sent verbatim. Throws ConfigError.
[[nodiscard]] std::string load_command(const core::EnvLookup& env);

// Parses "LOW-HIGH" with 1024 <= LOW <= HIGH <= 65535; std::nullopt when malformed.
[[nodiscard]] std::optional<PortRange> parse_port_range(std::string_view text);

}  // namespace dokploy_provider::provider
