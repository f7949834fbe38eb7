// SPDX-License-Identifier: MIT
#include "pkg/ssh/channel_relay.hpp"

#include <libssh/callbacks.h>
#include <libssh/libssh.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>

#include "pkg/core/errors.hpp"
#include "pkg/ssh/byte_queue.hpp"
#include "pkg/ssh/signals.hpp"
#include "pkg/ssh/ssh_handles.hpp"

namespace dokploy_provider::ssh {
namespace {

constexpr int k_no_exit_status = 255;

std::uint32_t clamp32(std::size_t size) {
    return static_cast<std::uint32_t>(std::min<std::size_t>(size, UINT32_MAX));
}

}  // namespace

struct ChannelRelay::State {
    State(ssh_session session_, std::string where_, RelayEnds& ends_, const RelayBuffers& buffers)
        : session(session_),
          where(std::move(where_)),
          ends(ends_),
          to_remote(buffers.input),
          to_output(buffers.output),
          to_error(buffers.error) {}

    ssh_session session;
    std::string where;
    RelayEnds& ends;
    ssh_channel_callbacks_struct callbacks{};
    ChannelPtr channel;
    bool channel_opened = false;
    ByteQueue to_remote;
    ByteQueue to_output;
    ByteQueue to_error;
    bool input_eof = false;      // local input ended (or can no longer be delivered)
    bool eof_sent = false;       // channel EOF sent (or pointless)
    bool output_eof = false;     // remote stdout fully received
    bool error_eof = false;      // remote stderr fully received
    bool output_closed = false;  // local stdout's reader went away
    bool error_closed = false;   // local stderr unwritable: remote stderr is dropped
    bool remote_closed = false;  // the remote closed the channel
    std::optional<int> exit_status;
    std::optional<std::string> exit_signal;

    [[nodiscard]] bool session_broken() const {
        return (ssh_get_status(session) & (SSH_CLOSED | SSH_CLOSED_ERROR)) != 0;
    }

    bool send_input();
    bool receive_stream(bool is_stderr, ByteQueue& queue, bool& eof);
    bool write_ends();

    static void on_exit_status(ssh_session /*session*/, ssh_channel /*channel*/, int status, void* self) {
        static_cast<State*>(self)->exit_status = status;
    }
    static void on_exit_signal(ssh_session /*session*/, ssh_channel /*channel*/, const char* signal, int /*core*/,
                               const char* /*errmsg*/, const char* /*lang*/, void* self) {
        static_cast<State*>(self)->exit_signal = signal != nullptr ? signal : "";
    }
    static void on_close(ssh_session /*session*/, ssh_channel /*channel*/, void* self) {
        static_cast<State*>(self)->remote_closed = true;
    }
};

ChannelRelay::ChannelRelay(ssh_session_struct* session, std::string where, RelayEnds& ends, const RelayBuffers& buffers)
    : m_state(std::make_unique<State>(session, std::move(where), ends, buffers)) {}

ChannelRelay::~ChannelRelay() = default;

bool ChannelRelay::open(const std::string& command) {
    auto& s = *m_state;
    if (!s.channel) {
        s.channel.reset(ssh_channel_new(s.session));
        if (!s.channel) {
            throw core::SshError("cannot create an SSH channel to " + s.where + ": " + ssh_get_error(s.session));
        }
        ssh_callbacks_init(&s.callbacks);
        s.callbacks.userdata = &s;
        s.callbacks.channel_exit_status_function = State::on_exit_status;
        s.callbacks.channel_exit_signal_function = State::on_exit_signal;
        s.callbacks.channel_close_function = State::on_close;
        ssh_set_channel_callbacks(s.channel.get(), &s.callbacks);
    }
    if (!s.channel_opened) {
        const int opened = ssh_channel_open_session(s.channel.get());
        if (opened == SSH_AGAIN) {
            return false;
        }
        if (opened != SSH_OK) {
            if (s.session_broken()) {
                throw SessionBroken{};
            }
            throw core::SshError("cannot open a session channel on " + s.where + ": " + ssh_get_error(s.session));
        }
        s.channel_opened = true;
        spdlog::debug("running the command ({} bytes) on {}", command.size(), s.where);
    }
    const int requested = ssh_channel_request_exec(s.channel.get(), command.c_str());
    if (requested == SSH_AGAIN) {
        return false;
    }
    if (requested != SSH_OK) {
        if (s.session_broken()) {
            throw SessionBroken{};
        }
        throw core::SshError("the SSH server at " + s.where +
                             " refused to run the command: " + ssh_get_error(s.session));
    }
    return true;
}

bool ChannelRelay::pump() {
    auto& s = *m_state;
    bool moved = s.send_input();
    const auto window_before = ssh_channel_window_size(s.channel.get());
    moved |= s.receive_stream(false, s.to_output, s.output_eof);
    moved |= s.receive_stream(true, s.to_error, s.error_eof);
    moved |= s.write_ends();
    // A window adjustment processed while receiving lets queued input move on.
    if (!s.to_remote.empty() && !s.eof_sent && ssh_channel_window_size(s.channel.get()) > window_before) {
        moved = true;
    }
    return moved;
}

void ChannelRelay::read_input() {
    auto& s = *m_state;
    const auto result = s.ends.read_input(s.to_remote.writable());
    switch (result.status) {
        case IoStatus::ok:
            s.to_remote.commit(result.bytes);
            break;
        case IoStatus::would_block:
            break;
        case IoStatus::end:
            s.input_eof = true;
            break;
        case IoStatus::failed:
            spdlog::debug("reading stdin failed ({}); treating it as end of input", std::strerror(result.error));
            s.input_eof = true;
            break;
    }
}

bool ChannelRelay::wants_input() const {
    return !m_state->input_eof && !m_state->to_remote.full();
}
bool ChannelRelay::has_output() const {
    return !m_state->to_output.empty() && !m_state->output_closed;
}
bool ChannelRelay::has_error() const {
    return !m_state->to_error.empty() && !m_state->error_closed;
}
bool ChannelRelay::output_closed() const {
    return m_state->output_closed;
}

bool ChannelRelay::finished() const {
    const auto& s = *m_state;
    return s.remote_closed && s.output_eof && s.error_eof && s.to_output.empty() && s.to_error.empty();
}

// Local input -> channel, never more than the remote window; then EOF once input is exhausted.
bool ChannelRelay::State::send_input() {
    bool moved = false;
    while (!to_remote.empty() && !eof_sent) {
        const auto window = ssh_channel_window_size(channel.get());
        if (window == 0) {
            break;
        }
        const auto data = to_remote.readable();
        const int written = ssh_channel_write(channel.get(), data.data(), std::min(clamp32(data.size()), window));
        if (written == SSH_ERROR) {
            if (session_broken()) {
                throw SessionBroken{};
            }
            // The remote closed its side: it will never read the rest.
            to_remote.consume(to_remote.size());
            input_eof = eof_sent = true;
            return true;
        }
        if (written == 0) {
            break;  // a key re-exchange is in progress
        }
        to_remote.consume(static_cast<std::size_t>(written));
        moved = true;
    }
    if (input_eof && to_remote.empty() && !eof_sent) {
        eof_sent = true;
        if (!remote_closed && ssh_channel_send_eof(channel.get()) == SSH_ERROR && session_broken()) {
            throw SessionBroken{};
        }
        moved = true;
    }
    return moved;
}

// Channel -> queue until the queue is full or libssh has nothing more buffered.
//
// The receive window is the queue's free room: asking libssh for up to `room` bytes makes it grant the peer
// a window of `room` minus what it already holds for us (one WINDOW_ADJUST, on every read that finds the
// window short). So the peer may always have a full queue's worth in flight (megabytes, like OpenSSH's 2 MiB
// window), and memory stays bounded by the queue plus that window. ssh_channel_read_nonblocking would cap
// the request at what is buffered and leave libssh's own 1.28 MB window: one grant per round trip.
bool ChannelRelay::State::receive_stream(bool is_stderr, ByteQueue& queue, bool& eof) {
    bool moved = false;
    while (!eof && !queue.full()) {
        const int available = ssh_channel_poll(channel.get(), is_stderr ? 1 : 0);
        if (available == SSH_EOF || (available == SSH_ERROR && remote_closed)) {
            eof = true;
            return true;
        }
        if (available == SSH_ERROR) {
            throw SessionBroken{};
        }
        if (available == 0) {
            break;  // nothing buffered: the owner's next ssh_event_dopoll brings more
        }
        const auto room = queue.writable();
        // Data is buffered, so this never waits.
        const int n = ssh_channel_read_timeout(channel.get(), room.data(), clamp32(room.size()), is_stderr ? 1 : 0, 0);
        if (n == SSH_ERROR && remote_closed) {
            eof = true;
            return true;
        }
        if (n == SSH_ERROR) {
            throw SessionBroken{};
        }
        if (n <= 0) {
            break;
        }
        queue.commit(static_cast<std::size_t>(n));
        moved = true;
    }
    return moved;
}

// Queues -> local ends. Neither write blocks the owner's loop for long: output is written as far as the end
// takes it; stderr is only the log, so what cannot be written to it is dropped.
bool ChannelRelay::State::write_ends() {
    bool moved = false;
    while (!to_output.empty() && !output_closed) {
        const auto result = ends.write_output(to_output.readable());
        if (result.status == IoStatus::would_block) {
            break;
        }
        if (result.status != IoStatus::ok) {
            spdlog::debug("stdout is closed ({}); ending the session",
                          result.error != 0 ? std::strerror(result.error) : "EOF");
            output_closed = true;
            return true;
        }
        to_output.consume(result.bytes);
        moved = true;
    }
    while (!to_error.empty() && !error_closed) {
        const auto result = ends.write_error(to_error.readable());
        if (result.status == IoStatus::would_block) {
            break;
        }
        if (result.status == IoStatus::ok) {
            to_error.consume(result.bytes);
        } else {
            if (result.error != EINTR) {
                error_closed = true;  // keep going: stderr is only the log
            }
            to_error.consume(to_error.size());
        }
        moved = true;
    }
    if (error_closed && !to_error.empty()) {
        to_error.consume(to_error.size());
        moved = true;
    }
    return moved;
}

int ChannelRelay::result() {
    auto& s = *m_state;
    ssh_channel_close(s.channel.get());  // answer the remote's close
    if (s.exit_signal) {
        spdlog::debug("the remote command was killed by signal {}", *s.exit_signal);
        return exit_code_for_signal(*s.exit_signal);
    }
    if (s.exit_status) {
        spdlog::debug("the remote command exited with status {}", *s.exit_status);
        return *s.exit_status;
    }
    spdlog::warn("the remote command on {} ended without reporting an exit status", s.where);
    return k_no_exit_status;
}

int ChannelRelay::result_after_output_closed() {
    auto& s = *m_state;
    if (s.channel && !s.remote_closed && !s.session_broken()) {
        ssh_channel_close(s.channel.get());
    }
    if (s.exit_signal) {
        return exit_code_for_signal(*s.exit_signal);
    }
    return s.exit_status.value_or(0);
}

int ChannelRelay::interrupt(int signal) {
    auto& s = *m_state;
    spdlog::debug("got signal {}; closing the SSH channel", signal);
    if (s.channel && s.channel_opened && !s.remote_closed && !s.session_broken()) {
        if (const auto name = ssh_signal_name(signal)) {
            ssh_channel_request_send_signal(s.channel.get(), std::string(*name).c_str());
        }
        ssh_channel_close(s.channel.get());
    }
    return 128 + signal;
}

}  // namespace dokploy_provider::ssh
