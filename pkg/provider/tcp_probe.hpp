// SPDX-License-Identifier: MIT
#pragma once

#include <memory>
#include <string>

#include "pkg/core/duration.hpp"

namespace dokploy_provider::provider {

// True when nothing accepts a TCP connection on host:port within `timeout` (refused, unreachable or
// silent). Only a completed connection counts as "in use". Never throws.
[[nodiscard]] bool tcp_port_looks_free(const std::string& host, int port, core::Millis timeout);


// True when host:port accepts a TCP connection and sends an SSH identification line ("SSH-") within
// `timeout`: status's check that the machine's sshd is up (no login). Never throws.
[[nodiscard]] bool ssh_banner_answers(const std::string& host, int port, core::Millis timeout);


// ssh_banner_answers() in two halves, so that the TCP handshake and the server's greeting overlap other work
// (status's API request): the constructor resolves host:port and starts a non-blocking connect to its first
// address; answers() then waits for the connection and "SSH-". One TCP connection, no SSH login. Never throws.
class SshGreetingProbe {
public:
    SshGreetingProbe(const std::string& host, int port);
    ~SshGreetingProbe();
    SshGreetingProbe(const SshGreetingProbe&) = delete;
    SshGreetingProbe& operator=(const SshGreetingProbe&) = delete;

    [[nodiscard]] const std::string& host() const noexcept;
    [[nodiscard]] int port() const noexcept;

    // True when the connection completes and an SSH server greets within `timeout` each (as
    // ssh_banner_answers). The remaining addresses of the host, if any, are tried after the first fails.
    [[nodiscard]] bool answers(core::Millis timeout);

private:
    struct State;
    std::unique_ptr<State> m_state;
};

}  // namespace dokploy_provider::provider
