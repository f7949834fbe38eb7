// SPDX-License-Identifier: MIT
// The `command` hot path: one exec channel, copied full duplex between the local streams and the channel by
// a single-threaded loop that sleeps in LocalEnds::wait (poll(2), or WSAPoll on Windows). libssh is driven
// non-blocking; its socket I/O happens inside ssh_event_dopoll / ssh_channel_read_nonblocking / ssh_channel_write, so
// after every wake-up the loop "pumps" (moves whatever can move without blocking) until nothing moves, then sleeps.
#include "pkg/ssh/tunnel.hpp"

#include <libssh/callbacks.h>
#include <libssh/libssh.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <optional>

#include "pkg/core/errors.hpp"
#include "pkg/ssh/byte_queue.hpp"
#include "pkg/ssh/local_ends.hpp"
#include "pkg/ssh/signals.hpp"

namespace dokploy_provider::ssh {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int k_no_exit_status = 255;

// Raised inside the loop when a local signal turns out to be why libssh failed.
struct Interrupted {
    int signal;
};

std::uint32_t clamp32(std::size_t size) {
    return static_cast<std::uint32_t>(std::min<std::size_t>(size, UINT32_MAX));
}

class Tunnel {
public:
    Tunnel(Connection& connection, const LocalStreams& streams, const TunnelSettings& settings)
        : m_connection(connection),
          m_session(connection.native()),
          m_streams(streams),
          m_settings(settings),
          m_to_remote(settings.buffer_size),
          m_to_output(settings.buffer_size),
          m_to_error(settings.buffer_size) {}

    Tunnel(const Tunnel&) = delete;
    Tunnel& operator=(const Tunnel&) = delete;
    // The session outlives the tunnel: it must not keep counting into this object.
    ~Tunnel() { ssh_set_counters(m_session, nullptr, nullptr); }

    int run(const std::string& command) {
        open_channel(command);
        m_local.emplace(m_streams);  // signal handling and stream modes, for the life of this tunnel
        m_event.reset(ssh_event_new());
        if (!m_event || ssh_event_add_session(m_event.get(), m_session) != SSH_OK) {
            throw core::SshError("libssh could not set up its event loop");
        }
        ssh_set_blocking(m_session, 0);
        ssh_set_counters(m_session, &m_socket_counter, nullptr);  // what the peer sends: proof of life
        try {
            return loop();
        } catch (const Interrupted& interrupted) {
            return on_signal(interrupted.signal);
        }
    }

private:
    void open_channel(const std::string& command) {
        m_channel.reset(ssh_channel_new(m_session));
        if (!m_channel) {
            throw core::SshError("cannot create an SSH channel to " + where() + ": " + ssh_get_error(m_session));
        }
        ssh_callbacks_init(&m_callbacks);
        m_callbacks.userdata = this;
        m_callbacks.channel_exit_status_function = on_exit_status;
        m_callbacks.channel_exit_signal_function = on_exit_signal;
        m_callbacks.channel_close_function = on_close;
        ssh_set_channel_callbacks(m_channel.get(), &m_callbacks);
        if (ssh_channel_open_session(m_channel.get()) != SSH_OK) {
            throw core::SshError("cannot open a session channel on " + where() + ": " + ssh_get_error(m_session));
        }
        spdlog::debug("running the command ({} bytes) on {}", command.size(), where());
        if (ssh_channel_request_exec(m_channel.get(), command.c_str()) != SSH_OK) {
            throw core::SshError("the SSH server at " + where() +
                                 " refused to run the command: " + ssh_get_error(m_session));
        }
    }

    int loop() {
        m_last_heard = Clock::now();
        for (;;) {
            if (const auto signal = m_local->take_signal()) {
                return on_signal(*signal);
            }
            while (pump()) {
            }
            note_what_the_peer_sent();
            if (m_output_closed) {
                return on_output_closed();
            }
            if (finished()) {
                return on_finished();
            }
            if (session_broken()) {
                connection_lost();
            }
            keepalive_if_due();
            wait_for_events();
        }
    }

    // Sleeps until the session, a local stream, a signal or the keepalive timer needs us.
    void wait_for_events() {
        const core::net::NativeSocket session_socket = ssh_get_fd(m_session);
        if (session_socket == core::net::k_invalid_socket) {
            connection_lost();
        }
        const bool write_pending = (ssh_get_poll_flags(m_session) & SSH_WRITE_PENDING) != 0;
        const auto ready =
            m_local->wait(session_socket, write_pending, wants_input(), !m_to_output.empty(), poll_timeout_ms());
        if (ready.session) {
            ssh_event_dopoll(m_event.get(), 0);  // libssh's own socket I/O; failures show in the session state
        }
        if (ready.input) {
            read_input();
        }
    }

    // One round of non-blocking work; true when anything moved or changed.
    bool pump() {
        bool moved = send_input();
        const auto window_before = ssh_channel_window_size(m_channel.get());
        moved |= receive_output();
        moved |= write_output();
        // A window adjustment processed while receiving lets queued input move on.
        if (!m_to_remote.empty() && !m_eof_sent && ssh_channel_window_size(m_channel.get()) > window_before) {
            moved = true;
        }
        return moved;
    }

    [[nodiscard]] bool wants_input() const { return !m_input_eof && !m_to_remote.full(); }

    void read_input() {
        const auto result = m_local->read_input(m_to_remote.writable());
        switch (result.status) {
            case IoStatus::ok:
                m_to_remote.commit(result.bytes);
                break;
            case IoStatus::would_block:
                break;
            case IoStatus::end:
                m_input_eof = true;
                break;
            case IoStatus::failed:
                spdlog::debug("reading stdin failed ({}); treating it as end of input", std::strerror(result.error));
                m_input_eof = true;
                break;
        }
    }

    // Local input -> channel, never more than the remote window; then EOF once input is exhausted.
    bool send_input() {
        bool moved = false;
        while (!m_to_remote.empty() && !m_eof_sent) {
            const auto window = ssh_channel_window_size(m_channel.get());
            if (window == 0) {
                break;
            }
            const auto data = m_to_remote.readable();
            const int written = ssh_channel_write(m_channel.get(), data.data(), std::min(clamp32(data.size()), window));
            if (written == SSH_ERROR) {
                if (session_broken()) {
                    connection_lost();
                }
                // The remote closed its side: it will never read the rest.
                m_to_remote.consume(m_to_remote.size());
                m_input_eof = m_eof_sent = true;
                return true;
            }
            if (written == 0) {
                break;  // a key re-exchange is in progress
            }
            m_to_remote.consume(static_cast<std::size_t>(written));
            moved = true;
        }
        if (m_input_eof && m_to_remote.empty() && !m_eof_sent) {
            m_eof_sent = true;
            if (!m_remote_closed && ssh_channel_send_eof(m_channel.get()) == SSH_ERROR && session_broken()) {
                connection_lost();
            }
            moved = true;
        }
        return moved;
    }

    bool receive_output() {
        bool moved = receive_stream(false, m_to_output, m_output_eof);
        moved |= receive_stream(true, m_to_error, m_error_eof);
        return moved;
    }

    // Channel -> queue until the queue is full or libssh has nothing more buffered or readable.
    bool receive_stream(bool is_stderr, ByteQueue& queue, bool& eof) {
        bool moved = false;
        while (!eof && !queue.full()) {
            const auto room = queue.writable();
            const int n =
                ssh_channel_read_nonblocking(m_channel.get(), room.data(), clamp32(room.size()), is_stderr ? 1 : 0);
            if (n == SSH_EOF || (n == SSH_ERROR && m_remote_closed)) {
                eof = true;
                return true;
            }
            if (n == SSH_ERROR) {
                connection_lost();
            }
            if (n <= 0) {
                break;
            }
            queue.commit(static_cast<std::size_t>(n));
            moved = true;
        }
        return moved;
    }

    // Queues -> local streams. On POSIX stdout never blocks the loop (poll waits for POLLOUT); stderr is
    // written whole.
    bool write_output() {
        bool moved = false;
        while (!m_to_output.empty() && !m_output_closed) {
            const auto result = m_local->write_output(m_to_output.readable());
            if (result.status == IoStatus::would_block) {
                break;
            }
            if (result.status != IoStatus::ok) {
                spdlog::debug("stdout is closed ({}); ending the session",
                              result.error != 0 ? std::strerror(result.error) : "EOF");
                m_output_closed = true;
                return true;
            }
            m_to_output.consume(result.bytes);
            moved = true;
        }
        if (!m_to_error.empty()) {
            if (!m_error_closed) {
                const auto result = m_local->write_error(m_to_error.readable());
                if (result.status != IoStatus::ok && result.error != EINTR) {
                    m_error_closed = true;  // keep going: stderr is only the log
                }
            }
            m_to_error.consume(m_to_error.size());
            moved = true;
        }
        return moved;
    }

    [[nodiscard]] bool finished() const {
        return m_remote_closed && m_output_eof && m_error_eof && m_to_output.empty() && m_to_error.empty();
    }

    [[nodiscard]] bool session_broken() const {
        return (ssh_get_status(m_session) & (SSH_CLOSED | SSH_CLOSED_ERROR)) != 0;
    }

    // Anything received from the peer (data, window adjustments, replies) proves it is alive.
    void note_what_the_peer_sent() {
        if (m_socket_counter.in_bytes != m_bytes_heard) {
            m_bytes_heard = m_socket_counter.in_bytes;
            m_last_heard = Clock::now();
            m_probe_sent.reset();
        }
    }

    // After keepalive_interval of silence from the peer, a request it must answer: a second session channel,
    // opened and closed again (the public libssh client API has no want-reply global request, which OpenSSH's
    // ServerAliveInterval uses). A machine whose kernel still acknowledges TCP while its sshd is frozen
    // (docker pause, a stalled VM) sends nothing back: after keepalive_reply_timeout more of silence the
    // connection counts as lost. A healthy idle tunnel always answers, so it is never cut.
    void keepalive_if_due() {
        finish_probe();
        const auto now = Clock::now();
        if (m_probe_sent) {
            if (now - *m_probe_sent >= m_settings.keepalive_reply_timeout) {
                throw core::SshError("the SSH connection to " + where() +
                                     " was lost: the machine stopped answering (no reply to an SSH keepalive in " +
                                     core::format_duration(m_settings.keepalive_reply_timeout) +
                                     "; is it paused or overloaded?)");
            }
            return;
        }
        if (now - m_last_heard >= m_settings.keepalive_interval && !m_probe) {
            m_probe.reset(ssh_channel_new(m_session));
            if (!m_probe) {
                throw core::SshError("libssh could not make a keepalive channel for " + where());
            }
            (void)ssh_channel_open_session(m_probe.get());  // non-blocking: sent, the answer comes later
            m_probe_sent = now;
        }
    }

    // Drives a keepalive channel's opening on; once the server answered (either way), closes and frees it.
    void finish_probe() {
        if (!m_probe) {
            return;
        }
        const int opened = ssh_channel_open_session(m_probe.get());
        if (opened == SSH_AGAIN) {
            return;
        }
        if (opened == SSH_ERROR && session_broken()) {
            connection_lost();
        }
        m_probe.reset();  // closes an opened channel
    }

    [[nodiscard]] int poll_timeout_ms() const {
        const auto due = m_probe_sent ? *m_probe_sent + m_settings.keepalive_reply_timeout
                                      : m_last_heard + m_settings.keepalive_interval;
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(due - Clock::now()).count();
        return static_cast<int>(std::clamp<long long>(left, 0, 60'000));
    }

    [[noreturn]] void connection_lost() {
        if (const auto signal = m_local->take_signal()) {
            throw Interrupted{*signal};
        }
        throw core::SshError("the SSH connection to " + where() + " was lost: " + ssh_get_error(m_session));
    }

    int on_finished() {
        ssh_channel_close(m_channel.get());  // answer the remote's close
        if (m_exit_signal) {
            spdlog::debug("the remote command was killed by signal {}", *m_exit_signal);
            return exit_code_for_signal(*m_exit_signal);
        }
        if (m_exit_status) {
            spdlog::debug("the remote command exited with status {}", *m_exit_status);
            return *m_exit_status;
        }
        spdlog::warn("the remote command on {} ended without reporting an exit status", where());
        return k_no_exit_status;
    }

    int on_signal(int signal) {
        spdlog::debug("got signal {}; closing the SSH channel", signal);
        if (!m_remote_closed && !session_broken()) {
            if (const auto name = ssh_signal_name(signal)) {
                ssh_channel_request_send_signal(m_channel.get(), std::string(*name).c_str());
            }
            ssh_channel_close(m_channel.get());
        }
        return 128 + signal;
    }

    int on_output_closed() {
        if (!m_remote_closed && !session_broken()) {
            ssh_channel_close(m_channel.get());
        }
        if (m_exit_signal) {
            return exit_code_for_signal(*m_exit_signal);
        }
        return m_exit_status.value_or(0);
    }

    [[nodiscard]] std::string where() const { return describe(m_connection.endpoint()); }

    static void on_exit_status(ssh_session /*session*/, ssh_channel /*channel*/, int status, void* self) {
        static_cast<Tunnel*>(self)->m_exit_status = status;
    }
    static void on_exit_signal(ssh_session /*session*/, ssh_channel /*channel*/, const char* signal, int /*core*/,
                               const char* /*errmsg*/, const char* /*lang*/, void* self) {
        static_cast<Tunnel*>(self)->m_exit_signal = signal != nullptr ? signal : "";
    }
    static void on_close(ssh_session /*session*/, ssh_channel /*channel*/, void* self) {
        static_cast<Tunnel*>(self)->m_remote_closed = true;
    }

    Connection& m_connection;
    ssh_session m_session;
    LocalStreams m_streams;
    TunnelSettings m_settings;
    ssh_channel_callbacks_struct m_callbacks{};
    EventPtr m_event;      // destroyed after the channel, before the session (owned by m_connection)
    ChannelPtr m_channel;  // destroyed before the event (after the keepalive channel)
    std::optional<LocalEnds> m_local;
    ByteQueue m_to_remote;
    ByteQueue m_to_output;
    ByteQueue m_to_error;
    bool m_input_eof = false;      // local input ended (or can no longer be delivered)
    bool m_eof_sent = false;       // channel EOF sent (or pointless)
    bool m_output_eof = false;     // remote stdout fully received
    bool m_error_eof = false;      // remote stderr fully received
    bool m_output_closed = false;  // local stdout's reader went away
    bool m_error_closed = false;   // local stderr unwritable: remote stderr is dropped
    bool m_remote_closed = false;  // the remote closed the channel
    std::optional<int> m_exit_status;
    std::optional<std::string> m_exit_signal;
    ssh_counter_struct m_socket_counter{};          // bytes and packets through the session's socket
    std::uint64_t m_bytes_heard = 0;                // m_socket_counter.in_bytes when last noted
    Clock::time_point m_last_heard;                 // when the peer last sent anything
    std::optional<Clock::time_point> m_probe_sent;  // a keepalive sent and nothing heard since
    ChannelPtr m_probe;                             // the keepalive channel while it opens and closes
};

}  // namespace

int run_remote_command(Connection& connection, const std::string& command, const LocalStreams& streams,
                       const TunnelSettings& settings) {
    Tunnel tunnel(connection, streams, settings);
    return tunnel.run(command);
}

}  // namespace dokploy_provider::ssh
