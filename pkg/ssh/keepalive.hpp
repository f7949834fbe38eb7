// SPDX-License-Identifier: MIT
#pragma once

#include <memory>
#include <string>

#include "pkg/core/duration.hpp"

struct ssh_session_struct;

namespace dokploy_provider::ssh {

struct KeepaliveSettings {
    core::Millis interval{15'000};       // a keepalive after this much silence from the peer
    core::Millis reply_timeout{15'000};  // unanswered this long: the connection is lost
};

// Proof of life for one non-blocking session. Anything the peer sends counts; after `interval` of silence a
// request it must answer goes out: a session channel, opened and closed again (the public libssh client API
// has no want-reply global request, which OpenSSH's ServerAliveInterval uses). A machine whose kernel still
// acknowledges TCP while its sshd is frozen (docker pause, a stalled VM) sends nothing back; a healthy idle
// connection always answers, so it is never cut. Counts the session's socket bytes for its lifetime.
class Keepalive {
public:
    Keepalive(ssh_session_struct* session, const KeepaliveSettings& settings);
    ~Keepalive();
    Keepalive(const Keepalive&) = delete;
    Keepalive& operator=(const Keepalive&) = delete;

    // Call after every round of work. Returns false when the peer left a keepalive unanswered for
    // reply_timeout (the connection counts as lost); may send a keepalive. Throws SessionBroken when the
    // session failed under the keepalive channel.
    [[nodiscard]] bool tick();
    // Milliseconds until tick() has something to do (for poll).
    [[nodiscard]] int timeout_ms() const;
    // Why the connection counts as lost after tick() returned false, for "... was lost: <reason>".
    [[nodiscard]] std::string lost_reason() const;

private:
    struct State;
    std::unique_ptr<State> m_state;
};

}  // namespace dokploy_provider::ssh
