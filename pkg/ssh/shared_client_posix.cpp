// SPDX-License-Identifier: MIT
// The `command` side of a shared connection (see shared_connection.hpp): find or start the machine's master,
// hand it stdin, stdout and stderr with the command, forward signals, and exit with the code it reports.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <sstream>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "pkg/core/errors.hpp"
#include "pkg/core/file_lock.hpp"
#include "pkg/core/unique_fd.hpp"
#include "pkg/ssh/mux_protocol.hpp"
#include "pkg/ssh/shared_connection.hpp"
#include "pkg/ssh/shared_socket.hpp"
#include "pkg/ssh/signal_pipe.hpp"

namespace dokploy_provider::ssh {
namespace {

constexpr int k_ready_fd = 3;  // where the master finds its end of the start-up channel
using Clock = std::chrono::steady_clock;

constexpr int k_signal_grace_ms = 3'000;  // after forwarding a signal, how long the master gets to confirm
// How long the master may take to start a command: a channel open and an exec request, or its keepalive's
// verdict on a frozen machine (about 30 s).
constexpr core::Millis k_start_limit{60'000};

void close_from(int first) noexcept {
#if defined(__linux__)
    (void)::close_range(static_cast<unsigned>(first), ~0U, 0);
#else
    const long limit = ::sysconf(_SC_OPEN_MAX);
    for (long fd = first; fd < (limit > 0 ? limit : 1024); ++fd) {
        ::close(static_cast<int>(fd));
    }
#endif
}

std::vector<std::string> master_arguments(const SharedSettings& settings) {
    std::vector<std::string> args{settings.executable.string(),
                                  "__ssh-master",
                                  "--socket",
                                  settings.paths.socket.string(),
                                  "--host",
                                  settings.endpoint.host,
                                  "--port",
                                  std::to_string(settings.endpoint.port),
                                  "--user",
                                  settings.endpoint.user,
                                  "--client-key",
                                  settings.credentials.client_key.string(),
                                  "--host-public-key",
                                  settings.credentials.pinned_host_public_key.string(),
                                  "--connect-timeout-ms",
                                  std::to_string(settings.connect.connect_timeout.count()),
                                  "--idle-exit-ms",
                                  std::to_string(settings.idle_exit.count()),
                                  "--ready-fd",
                                  std::to_string(k_ready_fd)};
    if (spdlog::should_log(spdlog::level::debug)) {
        args.emplace_back("--verbose");
    }
    return args;
}

// Starts a master, detached (its own session, a grandchild so that nobody has to reap it), with an empty
// environment (it needs no secret: only the machine's key files) and no descriptor of ours but its log and
// the start-up channel. True once it reported ready; false when it could not start for a local reason.
// Throws core::SshError with the master's own message when it could not connect or authenticate.
bool start_master(const SharedSettings& settings) {
    int pair[2] = {-1, -1};
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
        return false;
    }
    core::UniqueFd ours(pair[0]);
    core::UniqueFd theirs(pair[1]);
    core::UniqueFd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
    core::UniqueFd log(::open(settings.paths.log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!null.valid() || !log.valid()) {
        return false;
    }
    const auto args = master_arguments(settings);
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (const auto& arg : args) {
        argv.push_back(const_cast<char*>(arg.c_str()));
    }
    argv.push_back(nullptr);
    char* no_environment[] = {nullptr};

    const pid_t child = ::fork();
    if (child < 0) {
        return false;
    }
    if (child == 0) {
        // Only async-signal-safe calls from here on.
        ::setsid();
        if (::fork() != 0) {
            ::_exit(0);
        }
        ::dup2(null.get(), 0);
        ::dup2(null.get(), 1);
        ::dup2(log.get(), 2);
        if (theirs.get() == k_ready_fd) {
            ::fcntl(k_ready_fd, F_SETFD, 0);
        } else {
            ::dup2(theirs.get(), k_ready_fd);
        }
        close_from(k_ready_fd + 1);
        ::execve(argv[0], argv.data(), no_environment);
        ::_exit(127);
    }
    theirs.reset();
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }

    // Connect and authenticate are each bounded by the connect timeout.
    const auto limit = settings.connect.connect_timeout * 3 + core::Millis{5'000};
    const auto deadline = std::chrono::steady_clock::now() + limit;
    mux::FrameReader reader;
    for (;;) {
        if (auto frame = reader.next()) {
            if (frame->type == mux::Type::ready) {
                return true;
            }
            if (frame->type == mux::Type::fail) {
                throw core::SshError(frame->body);
            }
            spdlog::debug("the shared SSH connection did not start: {}", frame->body);
            return false;
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd entry{ours.get(), POLLIN, 0};
        if (left.count() <= 0 || ::poll(&entry, 1, static_cast<int>(left.count())) == 0) {
            spdlog::debug("the shared SSH connection did not report within {}", core::format_duration(limit));
            return false;
        }
        const auto status_read = reader.read_from(ours.get());
        if (status_read == IoStatus::end || status_read == IoStatus::failed) {
            spdlog::debug("the shared SSH connection ended while starting (see {})", settings.paths.log.string());
            return false;
        }
    }
}

// A connection to the machine's master, started first when none answers. Invalid when none can be had.
core::UniqueFd connect_or_start(const SharedSettings& settings) {
    const core::FileLock lock(settings.paths.lock, [] {
        spdlog::debug("waiting for another command that starts the shared SSH connection");
    });
    if (auto control = connect_to(settings.paths.socket); control.valid()) {
        return control;
    }
    spdlog::debug("starting a shared SSH connection to {} (its log: {})", describe(settings.endpoint),
                  settings.paths.log.string());
    // Nobody listens: a master that died (kill -9, a reboot) left its socket behind.
    std::error_code ignored;
    std::filesystem::remove(settings.paths.socket, ignored);
    if (!start_master(settings)) {
        return core::UniqueFd{};
    }
    return connect_to(settings.paths.socket);
}

struct Outcome {
    std::optional<int> code;  // empty: the command never started; another master may run it
    std::string why_not;
};

Outcome run_on(int control, const SharedSettings& settings, const std::string& command, const LocalStreams& streams) {
    const auto where = describe(settings.endpoint);
    const auto identity = shared_identity(settings.endpoint, settings.credentials);
    if (!mux::send_frame(control, mux::Type::run, identity + '\0' + command,
                         {streams.input, streams.output, streams.error})) {
        return {std::nullopt, "the shared connection hung up"};
    }
    SignalPipe signals;
    mux::FrameReader reader;
    const auto start_deadline = Clock::now() + k_start_limit;
    bool started = false;
    std::optional<int> signalled;
    for (;;) {
        while (auto frame = reader.next()) {
            switch (frame->type) {
                case mux::Type::started:
                    started = true;
                    break;
                case mux::Type::exit:
                    return {std::atoi(frame->body.c_str()), {}};
                case mux::Type::retry:
                    if (!started) {
                        return {std::nullopt, frame->body};
                    }
                    throw core::SshError(frame->body);
                default:
                    throw core::SshError(frame->body);
            }
        }
        pollfd fds[2] = {{control, POLLIN, 0}, {signals.fd(), POLLIN, 0}};
        int timeout_ms = -1;
        if (signalled) {
            timeout_ms = k_signal_grace_ms;
        } else if (!started) {
            timeout_ms = static_cast<int>(std::max<long long>(
                0, std::chrono::duration_cast<std::chrono::milliseconds>(start_deadline - Clock::now()).count()));
        }
        const int n = ::poll(fds, 2, timeout_ms);
        if (n == 0 && signalled) {
            return {128 + *signalled, {}};  // the master did not confirm in time: exit as a signal would
        }
        if (n == 0) {
            // Its keepalive answers within about 30 s even for a frozen machine: the master itself is stuck.
            throw core::SshError("the shared SSH connection to " + where + " did not start the command within " +
                                 core::format_duration(k_start_limit) + " (its log: " + settings.paths.log.string() +
                                 "); remove " + settings.paths.socket.string() + " to connect directly next time");
        }
        if (n < 0) {
            continue;  // EINTR: the signal shows in the pipe
        }
        if (fds[1].revents != 0) {
            if (const auto signal = signals.take(); signal && !signalled) {
                signalled = *signal;
                spdlog::debug("got signal {}; asking the shared connection to end the command", *signal);
                if (!mux::send_frame(control, mux::Type::signal, std::to_string(*signal))) {
                    return {128 + *signal, {}};
                }
            }
        }
        if (fds[0].revents != 0) {
            const auto status = reader.read_from(control);
            if (status == IoStatus::end || status == IoStatus::failed) {
                if (signalled) {
                    return {128 + *signalled, {}};
                }
                if (!started) {
                    return {std::nullopt, "the shared connection ended"};
                }
                throw core::SshError("the shared SSH connection to " + where +
                                     " ended unexpectedly (its log: " + settings.paths.log.string() + ")");
            }
        }
    }
}

}  // namespace

std::string shared_identity(const Endpoint& endpoint, const Credentials& credentials) {
    std::ifstream pin(credentials.pinned_host_public_key, std::ios::binary);
    std::ostringstream content;
    content << pin.rdbuf();
    if (!pin || content.str().empty()) {
        return {};
    }
    return describe(endpoint) + "\n" + content.str();
}

std::optional<int> run_shared(const SharedSettings& settings, const std::string& command, const LocalStreams& streams) {
    if (::isatty(streams.input) != 0 || ::isatty(streams.output) != 0) {
        spdlog::debug("a terminal on stdin or stdout: connecting directly");
        return std::nullopt;
    }
    if (!socket_path_fits(settings.paths.socket)) {
        spdlog::debug("MACHINE_FOLDER is too long for a Unix socket path: connecting directly");
        return std::nullopt;
    }
    for (int attempt = 0; attempt < 2; ++attempt) {
        const auto control = connect_or_start(settings);
        if (!control.valid()) {
            return std::nullopt;
        }
        spdlog::debug("running the command ({} bytes) on {} over the shared SSH connection {}", command.size(),
                      describe(settings.endpoint), settings.paths.socket.string());
        const auto outcome = run_on(control.get(), settings, command, streams);
        if (outcome.code) {
            return outcome.code;
        }
        spdlog::debug("the shared SSH connection could not run the command ({}); starting a new one", outcome.why_not);
    }
    return std::nullopt;
}

void end_shared(const SharedPaths& paths) {
    if (auto control = connect_to(paths.socket); control.valid()) {
        if (mux::send_frame(control.get(), mux::Type::quit, {})) {
            pollfd entry{control.get(), POLLIN, 0};
            char byte = 0;
            // The master closes its end once it has ended its commands.
            while (::poll(&entry, 1, 2'000) > 0 && ::read(control.get(), &byte, 1) > 0) {
            }
        }
    }
    std::error_code ignored;
    std::filesystem::remove(paths.socket, ignored);
}

}  // namespace dokploy_provider::ssh
