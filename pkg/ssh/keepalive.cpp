// SPDX-License-Identifier: MIT
#include "pkg/ssh/keepalive.hpp"

#include <libssh/libssh.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "pkg/ssh/channel_relay.hpp"
#include "pkg/ssh/ssh_handles.hpp"

namespace dokploy_provider::ssh {

struct Keepalive::State {
    using Clock = std::chrono::steady_clock;

    ssh_session session;
    KeepaliveSettings settings;
    ssh_counter_struct counter{};                 // bytes and packets through the session's socket
    std::uint64_t bytes_heard = 0;                // counter.in_bytes when last noted
    Clock::time_point last_heard = Clock::now();  // when the peer last sent anything
    std::optional<Clock::time_point> probe_sent;  // a keepalive sent and nothing heard since
    ChannelPtr probe;                             // the keepalive channel while it opens and closes

    [[nodiscard]] bool session_broken() const {
        return (ssh_get_status(session) & (SSH_CLOSED | SSH_CLOSED_ERROR)) != 0;
    }

    void note_what_the_peer_sent() {
        if (counter.in_bytes != bytes_heard) {
            bytes_heard = counter.in_bytes;
            last_heard = Clock::now();
            probe_sent.reset();
        }
    }

    // Drives a keepalive channel's opening on; once the server answered (either way), closes and frees it.
    void finish_probe() {
        if (!probe) {
            return;
        }
        const int opened = ssh_channel_open_session(probe.get());
        if (opened == SSH_AGAIN) {
            return;
        }
        if (opened == SSH_ERROR && session_broken()) {
            throw SessionBroken{};
        }
        probe.reset();  // closes an opened channel
    }
};

Keepalive::Keepalive(ssh_session_struct* session, const KeepaliveSettings& settings)
    : m_state(std::make_unique<State>()) {
    m_state->session = session;
    m_state->settings = settings;
    ssh_set_counters(session, &m_state->counter, nullptr);  // what the peer sends: proof of life
}

// The session outlives the keepalive: it must not keep counting into this object.
Keepalive::~Keepalive() {
    m_state->probe.reset();
    ssh_set_counters(m_state->session, nullptr, nullptr);
}

bool Keepalive::tick() {
    auto& s = *m_state;
    s.note_what_the_peer_sent();
    s.finish_probe();
    const auto now = State::Clock::now();
    if (s.probe_sent) {
        return now - *s.probe_sent < s.settings.reply_timeout;
    }
    if (now - s.last_heard >= s.settings.interval && !s.probe) {
        s.probe.reset(ssh_channel_new(s.session));
        if (!s.probe) {
            throw SessionBroken{};
        }
        (void)ssh_channel_open_session(s.probe.get());  // non-blocking: sent, the answer comes later
        s.probe_sent = now;
    }
    return true;
}

int Keepalive::timeout_ms() const {
    const auto& s = *m_state;
    const auto due = s.probe_sent ? *s.probe_sent + s.settings.reply_timeout : s.last_heard + s.settings.interval;
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(due - State::Clock::now()).count();
    return static_cast<int>(std::clamp<long long>(left, 0, 60'000));
}

std::string Keepalive::lost_reason() const {
    return "the machine stopped answering (no reply to an SSH keepalive in " +
           core::format_duration(m_state->settings.reply_timeout) + "; is it paused or overloaded?)";
}

}  // namespace dokploy_provider::ssh
