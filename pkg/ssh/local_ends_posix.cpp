// SPDX-License-Identifier: MIT
#include <array>
#include <cerrno>
#include <cstring>
#include <poll.h>
#include <string>

#include "pkg/core/errors.hpp"
#include "pkg/ssh/local_ends.hpp"
#include "pkg/ssh/local_io.hpp"
#include "pkg/ssh/signal_pipe.hpp"

namespace dokploy_provider::ssh {

struct LocalEnds::State {
    explicit State(const LocalStreams& local) : streams(local), input_guard(local.input), output_guard(local.output) {}

    LocalStreams streams;
    SignalPipe signals;  // before the guards are undone, SIGPIPE stays ignored
    NonblockingGuard input_guard;
    NonblockingGuard output_guard;
};

LocalEnds::LocalEnds(const LocalStreams& streams) : m_state(std::make_unique<State>(streams)) {}

LocalEnds::~LocalEnds() = default;

Readiness LocalEnds::wait(core::net::NativeSocket session, bool session_write, bool want_input, bool want_output,
                          int timeout_ms) {
    const auto& streams = m_state->streams;
    std::array<pollfd, 4> fds{{
        {session, static_cast<short>(POLLIN | (session_write ? POLLOUT : 0)), 0},
        {m_state->signals.fd(), POLLIN, 0},
        {want_input ? streams.input : -1, POLLIN, 0},
        {want_output ? streams.output : -1, POLLOUT, 0},
    }};
    if (::poll(fds.data(), fds.size(), timeout_ms) < 0) {
        if (errno == EINTR) {
            return {};  // a signal: the caller takes it next
        }
        throw core::SshError(std::string("poll failed during the SSH session: ") + std::strerror(errno));
    }
    return {fds[0].revents != 0, fds[2].revents != 0};
}

IoResult LocalEnds::read_input(std::span<char> buffer) {
    return read_some(m_state->streams.input, buffer);
}

IoResult LocalEnds::write_output(std::span<const char> data) {
    return write_some(m_state->streams.output, data);
}

IoResult LocalEnds::write_error(std::span<const char> data) {
    return write_all(m_state->streams.error, data);
}

std::optional<int> LocalEnds::take_signal() {
    return m_state->signals.take();
}

}  // namespace dokploy_provider::ssh
