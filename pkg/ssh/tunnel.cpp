// SPDX-License-Identifier: MIT
// The direct `command` path: one exec channel (ChannelRelay) between the local streams and the machine, in a
// single-threaded loop that sleeps in LocalEnds::wait (poll(2), or WSAPoll on Windows). libssh is driven
// non-blocking; its socket I/O happens inside ssh_event_dopoll and the relay's calls, so after every wake-up
// the loop pumps (moves whatever can move without blocking) until nothing moves, then sleeps.
#include "pkg/ssh/tunnel.hpp"

#include <libssh/libssh.h>

#include <optional>

#include "pkg/core/errors.hpp"
#include "pkg/ssh/local_ends.hpp"

namespace dokploy_provider::ssh {
namespace {

// LocalEnds (once set up) behind the relay's interface.
class LocalRelayEnds final : public RelayEnds {
public:
    explicit LocalRelayEnds(std::optional<LocalEnds>& local) : m_local(local) {}
    IoResult read_input(std::span<char> buffer) override { return m_local->read_input(buffer); }
    IoResult write_output(std::span<const char> data) override { return m_local->write_output(data); }
    IoResult write_error(std::span<const char> data) override { return m_local->write_error(data); }

private:
    std::optional<LocalEnds>& m_local;
};

// Raised inside the loop when a local signal turns out to be why libssh failed.
struct Interrupted {
    int signal;
};

class Tunnel {
public:
    Tunnel(Connection& connection, const LocalStreams& streams, const TunnelSettings& settings)
        : m_connection(connection), m_session(connection.native()), m_streams(streams), m_settings(settings) {}

    int run(const std::string& command) {
        ChannelRelay relay(m_session, where(), m_ends, m_settings.buffers);
        try {
            (void)relay.open(command);  // blocking here: bounded by the connection's timeout
        } catch (const SessionBroken&) {
            throw core::SshError("the SSH connection to " + where() + " was lost: " + ssh_get_error(m_session));
        }
        m_local.emplace(m_streams);  // signal handling and stream modes, for the life of this tunnel
        m_event.reset(ssh_event_new());
        if (!m_event || ssh_event_add_session(m_event.get(), m_session) != SSH_OK) {
            throw core::SshError("libssh could not set up its event loop");
        }
        ssh_set_blocking(m_session, 0);
        Keepalive keepalive(m_session, m_settings.keepalive);
        try {
            return loop(relay, keepalive);
        } catch (const Interrupted& interrupted) {
            return relay.interrupt(interrupted.signal);
        } catch (const SessionBroken&) {
            if (const auto signal = m_local->take_signal()) {
                return relay.interrupt(*signal);
            }
            throw core::SshError("the SSH connection to " + where() + " was lost: " + ssh_get_error(m_session));
        }
    }

private:
    int loop(ChannelRelay& relay, Keepalive& keepalive) {
        for (;;) {
            if (const auto signal = m_local->take_signal()) {
                return relay.interrupt(*signal);
            }
            while (relay.pump()) {
            }
            if (relay.output_closed()) {
                return relay.result_after_output_closed();
            }
            if (relay.finished()) {
                return relay.result();
            }
            if (session_broken()) {
                throw SessionBroken{};
            }
            if (!keepalive.tick()) {
                throw core::SshError("the SSH connection to " + where() + " was lost: " + keepalive.lost_reason());
            }
            wait_for_events(relay, keepalive.timeout_ms());
        }
    }

    // Sleeps until the session, a local stream, a signal or the keepalive timer needs us.
    void wait_for_events(ChannelRelay& relay, int timeout_ms) {
        const core::net::NativeSocket session_socket = ssh_get_fd(m_session);
        if (session_socket == core::net::k_invalid_socket) {
            throw SessionBroken{};
        }
        const bool write_pending = (ssh_get_poll_flags(m_session) & SSH_WRITE_PENDING) != 0;
        const auto ready =
            m_local->wait(session_socket, write_pending, relay.wants_input(), relay.has_output(), timeout_ms);
        if (ready.session) {
            ssh_event_dopoll(m_event.get(), 0);  // libssh's own socket I/O; failures show in the session state
        }
        if (ready.input) {
            relay.read_input();
        }
    }

    [[nodiscard]] bool session_broken() const {
        return (ssh_get_status(m_session) & (SSH_CLOSED | SSH_CLOSED_ERROR)) != 0;
    }

    [[nodiscard]] std::string where() const { return describe(m_connection.endpoint()); }

    Connection& m_connection;
    ssh_session m_session;
    LocalStreams m_streams;
    TunnelSettings m_settings;
    std::optional<LocalEnds> m_local;
    LocalRelayEnds m_ends{m_local};
    EventPtr m_event;  // destroyed before the session (owned by m_connection)
};

}  // namespace

int run_remote_command(Connection& connection, const std::string& command, const LocalStreams& streams,
                       const TunnelSettings& settings) {
    Tunnel tunnel(connection, streams, settings);
    return tunnel.run(command);
}

}  // namespace dokploy_provider::ssh
