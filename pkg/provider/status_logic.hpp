// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "pkg/core/duration.hpp"

namespace dokploy_provider::provider {

enum class MachineStatus { running, busy, stopped, not_found };

// The bare word DevPod expects on stdout: "Running", "Busy", "Stopped" or "NotFound".
[[nodiscard]] std::string_view status_word(MachineStatus status);

// What status knows about a machine.
struct StatusFacts {
    std::optional<std::string> compose_status;  // std::nullopt: no such compose service
    bool ssh_ready = false;                     // the SSH server greets on the machine's port ("done" only)
    bool containers_exited = false;             // "done", but Dokploy lists the containers and none runs
    core::Millis since_last_start{0};           // since the last deploy or start
    core::Millis create_timeout{600'000};
};

// Maps Dokploy's composeStatus and the SSH probe to a DevPod state: none -> NotFound, idle -> Stopped,
// error -> Stopped (so DevPod's start redeploys), running -> Busy, done -> Running when the SSH server
// answers, Stopped when its containers have exited (the machine stopped itself: auto-stop), else Busy. Busy is never
// permanent: running, or done without SSH, for longer than create_timeout after the last start (a deploy lost when
// Dokploy restarted, an sshd that never came up) throws core::Error explaining it. Unknown statuses throw too (never
// guessed).
[[nodiscard]] MachineStatus decide_status(const StatusFacts& facts);

}  // namespace dokploy_provider::provider
