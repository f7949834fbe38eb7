// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "pkg/dokploy/client.hpp"
#include "pkg/http/sleeper.hpp"
#include "pkg/ssh/connection.hpp"

namespace dokploy_provider::provider {

// What create and start wait for: the compose service deployed (`done`) and SSH answering with the pinned
// host key and the machine's client key.
struct ReadinessTarget {
    std::string compose_id;
    std::string service_name;
    ssh::Endpoint endpoint;
    ssh::Credentials credentials;
    std::optional<std::string> deploy_title;  // the deployment to watch, when one was queued
    core::Millis budget{0};                   // the DOKPLOY_CREATE_TIMEOUT this wait is part of (for messages)
    std::string app_name = {};                // the compose project, whose containers' logs explain a timeout
    std::optional<std::string> server_id = std::nullopt;  // the remote server it runs on, if any
};

struct WaitOutcome {
    bool ready = false;
    std::string failure;         // why not, one line (empty when ready)
    bool port_conflict = false;  // the deploy failed because the SSH host port is taken
};

// Polls Dokploy and SSH until the machine is ready, the deploy fails, or `timeout` (what is left of the
// target's budget) passes (the failure then quotes the last lines of the machine's container log and of its
// deploy log, as far as Dokploy tells them), logging
// progress lines (what it waits for, elapsed time) on stderr. API failures propagate as exceptions;
// a host-key mismatch throws ssh::HostKeyMismatch at once.
[[nodiscard]] WaitOutcome wait_until_ready(dokploy::Client& client, http::Sleeper& sleeper,
                                           const ReadinessTarget& target, core::Millis timeout);

}  // namespace dokploy_provider::provider
