// SPDX-License-Identifier: MIT
// The master of a shared connection (see shared_connection.hpp): one single-threaded poll loop over the SSH
// session, the listening socket, each client's control socket and the stdin/stdout/stderr each client
// passed along, with one ChannelRelay per running command.
#include <libssh/libssh.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <list>
#include <memory>
#include <optional>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <vector>

#include "pkg/core/errors.hpp"
#include "pkg/core/unique_fd.hpp"
#include "pkg/ssh/channel_relay.hpp"
#include "pkg/ssh/local_io.hpp"
#include "pkg/ssh/mux_protocol.hpp"
#include "pkg/ssh/shared_connection.hpp"
#include "pkg/ssh/shared_socket.hpp"
#include "pkg/ssh/signals.hpp"

namespace dokploy_provider::ssh {
namespace {

using Clock = std::chrono::steady_clock;

// The stdin, stdout and stderr a client passed, non-blocking while the command runs.
class PassedEnds final : public RelayEnds {
public:
    explicit PassedEnds(std::vector<core::UniqueFd> fds)
        : m_input(std::move(fds[0])),
          m_output(std::move(fds[1])),
          m_error(std::move(fds[2])),
          m_input_mode(m_input.get()),
          m_output_mode(m_output.get()),
          m_error_mode(m_error.get()) {}

    IoResult read_input(std::span<char> buffer) override { return read_some(m_input.get(), buffer); }
    IoResult write_output(std::span<const char> data) override { return write_some(m_output.get(), data); }
    IoResult write_error(std::span<const char> data) override { return write_some(m_error.get(), data); }

    [[nodiscard]] int input() const { return m_input.get(); }
    [[nodiscard]] int output() const { return m_output.get(); }
    [[nodiscard]] int error() const { return m_error.get(); }

private:
    core::UniqueFd m_input;
    core::UniqueFd m_output;
    core::UniqueFd m_error;
    NonblockingGuard m_input_mode;  // restored before the fds close
    NonblockingGuard m_output_mode;
    NonblockingGuard m_error_mode;
};

struct Client {
    core::UniqueFd control;
    mux::FrameReader reader;
    std::string command;
    std::unique_ptr<PassedEnds> ends;
    std::unique_ptr<ChannelRelay> relay;
    bool started = false;  // the server accepted the command: no retry elsewhere from here on
    bool done = false;
};

class Master {
public:
    Master(const SharedSettings& settings, std::string identity, Connection connection, core::UniqueFd listener)
        : m_settings(settings),
          m_connection(std::move(connection)),
          m_session(m_connection.native()),
          m_where(describe(settings.endpoint)),
          m_identity(std::move(identity)),
          m_listener(std::move(listener)),
          m_socket_identity(socket_identity(settings.paths.socket)) {}

    int run() {
        m_event.reset(ssh_event_new());
        if (!m_event || ssh_event_add_session(m_event.get(), m_session) != SSH_OK) {
            throw core::SshError("libssh could not set up its event loop");
        }
        ssh_set_blocking(m_session, 0);
        Keepalive keepalive(m_session, m_settings.keepalive);
        m_idle_since = Clock::now();
        try {
            return loop(keepalive);
        } catch (const SessionBroken&) {
            return lose(std::string(ssh_get_error(m_session)));
        }
    }

private:
    int loop(Keepalive& keepalive) {
        for (;;) {
            progress();
            std::erase_if(m_clients, [](const Client& client) { return client.done; });
            if ((ssh_get_status(m_session) & (SSH_CLOSED | SSH_CLOSED_ERROR)) != 0) {
                throw SessionBroken{};
            }
            if (!keepalive.tick()) {
                return lose(keepalive.lost_reason());
            }
            if (m_quit) {
                spdlog::info("ending the shared connection to {} (asked to)", m_where);
                stop_listening();
                for (auto& client : m_clients) {
                    if (client.relay) {
                        (void)client.relay->result_after_output_closed();
                    }
                    client.relay.reset();
                    client.ends.reset();
                    (void)mux::send_frame(
                        client.control.get(), mux::Type::fail,
                        "the SSH connection to " + m_where + " was closed: the machine is being stopped or deleted");
                }
                return 0;
            }
            if (m_clients.empty()) {
                if (!m_listener.valid()) {
                    return 0;  // drained
                }
                if (Clock::now() - m_idle_since >= m_settings.idle_exit) {
                    spdlog::info("ending the shared connection to {}: idle for {}", m_where,
                                 core::format_duration(m_settings.idle_exit));
                    stop_listening();
                    return 0;
                }
            } else {
                m_idle_since = Clock::now();
            }
            wait(std::min(keepalive.timeout_ms(), idle_timeout_ms()));
        }
    }

    [[nodiscard]] int idle_timeout_ms() const {
        if (!m_clients.empty()) {
            return 60'000;
        }
        const auto left =
            std::chrono::ceil<std::chrono::milliseconds>(m_idle_since + m_settings.idle_exit - Clock::now()).count();
        return static_cast<int>(std::clamp<long long>(left, 0, 60'000));
    }

    // Sleeps in poll(2) until the session, the listener, a client or a timer needs us, then handles it.
    void wait(int timeout_ms) {
        std::vector<pollfd> fds;
        const bool write_pending = (ssh_get_poll_flags(m_session) & SSH_WRITE_PENDING) != 0;
        fds.push_back({ssh_get_fd(m_session), static_cast<short>(POLLIN | (write_pending ? POLLOUT : 0)), 0});
        fds.push_back({m_listener.valid() ? m_listener.get() : -1, POLLIN, 0});
        struct Watch {
            Client* client;
            std::size_t control, input, output, error;
        };
        std::vector<Watch> watches;
        const auto add = [&](int fd, short events) {
            fds.push_back({fd, events, 0});
            return fds.size() - 1;
        };
        constexpr std::size_t none = SIZE_MAX;
        for (auto& client : m_clients) {
            Watch watch{&client, add(client.control.get(), POLLIN), none, none, none};
            if (client.started && client.relay) {
                if (client.relay->wants_input()) {
                    watch.input = add(client.ends->input(), POLLIN);
                }
                if (client.relay->has_output()) {
                    watch.output = add(client.ends->output(), POLLOUT);
                }
                if (client.relay->has_error()) {
                    watch.error = add(client.ends->error(), POLLOUT);
                }
            }
            watches.push_back(watch);
        }
        const int n = ::poll(fds.data(), fds.size(), timeout_ms);
        if (n < 0) {
            if (errno == EINTR) {
                return;
            }
            throw core::SshError(std::string("poll failed in the shared SSH connection: ") + std::strerror(errno));
        }
        if (fds[0].revents != 0) {
            ssh_event_dopoll(m_event.get(), 0);  // libssh's own socket I/O; failures show in the session state
        }
        if (fds[1].revents != 0) {
            accept_clients();
        }
        for (const auto& watch : watches) {
            if (watch.input != none && fds[watch.input].revents != 0) {
                watch.client->relay->read_input();
            }
            if (fds[watch.control].revents != 0) {
                read_control(*watch.client);
            }
        }
    }

    void accept_clients() {
        for (;;) {
            core::UniqueFd fd(::accept(m_listener.get(), nullptr, nullptr));
            if (!fd.valid()) {
                return;  // EAGAIN: all taken
            }
            if (!peer_is_us(fd.get())) {
                spdlog::warn("refused a connection to the shared SSH socket from another user");
                continue;
            }
            set_nonblocking(fd.get());
            m_clients.push_back(Client{std::move(fd), {}, {}, {}, {}, false, false});
        }
    }

    void read_control(Client& client) {
        const auto status = client.reader.read_from(client.control.get());
        if (status == IoStatus::end || status == IoStatus::failed) {
            // The client went away (killed, or its caller hung up): its command goes too.
            if (client.relay) {
                (void)client.relay->result_after_output_closed();
            }
            client.done = true;
            return;
        }
        while (auto frame = client.reader.next()) {
            handle(client, std::move(*frame));
            if (client.done) {
                return;
            }
        }
    }

    void handle(Client& client, mux::Frame frame) {
        switch (frame.type) {
            case mux::Type::run:
                start(client, std::move(frame));
                break;
            case mux::Type::signal: {
                const int signal = std::atoi(frame.body.c_str());
                const int code = client.relay ? client.relay->interrupt(signal) : 128 + signal;
                finish(client, code);
                break;
            }
            case mux::Type::quit:
                m_quit = true;
                client.done = true;
                break;
            default:
                client.done = true;
                break;
        }
    }

    void start(Client& client, mux::Frame frame) {
        const auto separator = frame.body.find('\0');
        if (client.relay || separator == std::string::npos || frame.fds.size() != 3) {
            client.done = true;
            return;
        }
        if (m_identity.empty() || frame.body.substr(0, separator) != m_identity || !m_listener.valid()) {
            // Made for another endpoint or pin (the machine moved or was made again): let the client start a
            // new master, which checks the pin anew; go once the commands running here end.
            (void)mux::send_frame(client.control.get(), mux::Type::retry, "the shared connection is stale");
            client.done = true;
            stop_listening();
            return;
        }
        client.command = frame.body.substr(separator + 1);
        client.ends = std::make_unique<PassedEnds>(std::move(frame.fds));
        client.relay = std::make_unique<ChannelRelay>(m_session, m_where, *client.ends);
    }

    // Moves everything that can move without blocking, for every client, until nothing does.
    void progress() {
        bool moved = true;
        while (moved) {
            moved = false;
            for (auto& client : m_clients) {
                if (client.done || !client.relay) {
                    continue;
                }
                if (!client.started) {
                    try {
                        client.started = client.relay->open(client.command);
                    } catch (const core::SshError& error) {
                        (void)mux::send_frame(client.control.get(), mux::Type::fail, error.what());
                        client.done = true;
                        continue;
                    }
                    if (!client.started) {
                        continue;
                    }
                    (void)mux::send_frame(client.control.get(), mux::Type::started, {});
                    moved = true;
                }
                moved |= client.relay->pump();
                if (client.relay->output_closed()) {
                    finish(client, client.relay->result_after_output_closed());
                } else if (client.relay->finished()) {
                    finish(client, client.relay->result());
                }
            }
        }
    }

    // Closes the client's copies of its streams (so that its reader sees EOF), then reports the exit code.
    static void finish(Client& client, int code) {
        client.relay.reset();
        client.ends.reset();
        (void)mux::send_frame(client.control.get(), mux::Type::exit, std::to_string(code));
        client.done = true;
    }

    int lose(const std::string& reason) {
        stop_listening();
        spdlog::warn("the shared SSH connection to {} was lost: {}", m_where, reason);
        const std::string message = "the SSH connection to " + m_where + " was lost: " + reason;
        for (auto& client : m_clients) {
            if (client.done) {
                continue;
            }
            client.relay.reset();
            client.ends.reset();
            // A command that never started can run on a new connection; one that did has lost its bytes.
            (void)mux::send_frame(client.control.get(), client.started ? mux::Type::fail : mux::Type::retry, message);
        }
        m_clients.clear();
        return 255;
    }

    // No new clients: the socket is removed (if it is still ours) so that the next `command` starts a new
    // master instead of waiting for this one.
    void stop_listening() {
        if (m_listener.valid()) {
            remove_socket_if(m_settings.paths.socket, m_socket_identity);
            m_listener.reset();
        }
    }

    const SharedSettings& m_settings;
    Connection m_connection;
    ssh_session m_session;
    std::string m_where;
    std::string m_identity;  // read before connecting: the pin this master's connection was checked against
    core::UniqueFd m_listener;
    SocketIdentity m_socket_identity;
    std::list<Client> m_clients;  // stable addresses: relays point into their Client's ends
    bool m_quit = false;
    Clock::time_point m_idle_since;
    EventPtr m_event;  // declared last: destroyed before the connection's session
};

void report(int ready_fd, mux::Type type, const std::string& text) {
    if (ready_fd >= 0) {
        (void)mux::send_frame(ready_fd, type, text);
        ::close(ready_fd);
    }
}

}  // namespace

int run_master(const SharedSettings& settings, int ready_fd) {
    (void)std::signal(SIGPIPE, SIG_IGN);  // a reader that hung up is an EPIPE on its stream, not our death
    (void)std::signal(SIGHUP, SIG_IGN);
    auto identity = shared_identity(settings.endpoint, settings.credentials);  // the pin Connection::open checks
    std::optional<Connection> connection;
    try {
        connection.emplace(Connection::open(settings.endpoint, settings.credentials, settings.connect));
    } catch (const core::SshError& error) {
        report(ready_fd, mux::Type::fail, error.what());
        return 255;
    }
    auto listener = listen_on(settings.paths.socket);
    if (!listener.valid()) {
        report(ready_fd, mux::Type::retry, "cannot listen on " + settings.paths.socket.string());
        return 1;
    }
    spdlog::info("shared SSH connection to {} ready on {}", describe(settings.endpoint),
                 settings.paths.socket.string());
    Master master(settings, std::move(identity), std::move(*connection), std::move(listener));
    report(ready_fd, mux::Type::ready, {});
    return master.run();
}

}  // namespace dokploy_provider::ssh
