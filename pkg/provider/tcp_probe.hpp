// SPDX-License-Identifier: MIT
#pragma once

#include <string>

#include "pkg/core/duration.hpp"

namespace dokploy_provider::provider {

// True when nothing accepts a TCP connection on host:port within `timeout` (refused, unreachable or
// silent). Only a completed connection counts as "in use". Never throws.
[[nodiscard]] bool tcp_port_looks_free(const std::string& host, int port, core::Millis timeout);

}  // namespace dokploy_provider::provider

namespace dokploy_provider::provider {

// True when host:port accepts a TCP connection and sends an SSH identification line ("SSH-") within
// `timeout`. For status checks when the machine's keys are not at hand. Never throws.
[[nodiscard]] bool ssh_banner_answers(const std::string& host, int port, core::Millis timeout);

}  // namespace dokploy_provider::provider
