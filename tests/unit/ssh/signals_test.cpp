// SPDX-License-Identifier: MIT
#include "pkg/ssh/signals.hpp"

#include <csignal>

#include "pkg/ssh/signal_pipe.hpp"
#include "tests/support/catch.hpp"

namespace ssh = dokploy_provider::ssh;

TEST_CASE("SSH signal names map to Linux signal numbers") {
    CHECK(ssh::signal_number("TERM") == SIGTERM);
    CHECK(ssh::signal_number("KILL") == SIGKILL);
    CHECK(ssh::signal_number("INT") == SIGINT);
    CHECK(ssh::signal_number("HUP") == SIGHUP);
    CHECK(ssh::signal_number("PIPE") == SIGPIPE);
    CHECK(ssh::signal_number("USR1") == 10);  // the remote's numbering, whatever the client's platform
    CHECK(ssh::signal_number("BUS") == 7);
    CHECK(ssh::signal_number("SIGTERM") == SIGTERM);
    CHECK(ssh::signal_number("term") == SIGTERM);
    CHECK_FALSE(ssh::signal_number("BOGUS").has_value());
    CHECK_FALSE(ssh::signal_number("").has_value());
    CHECK_FALSE(ssh::signal_number("SIG").has_value());
}

TEST_CASE("a remote signal becomes exit code 128+n, an unknown one 255") {
    CHECK(ssh::exit_code_for_signal("KILL") == 137);
    CHECK(ssh::exit_code_for_signal("TERM") == 143);
    CHECK(ssh::exit_code_for_signal("INT") == 130);
    CHECK(ssh::exit_code_for_signal("WINCH@openssh.com") == 255);
}

TEST_CASE("local signals have RFC 4254 names") {
    CHECK(ssh::ssh_signal_name(SIGINT) == "INT");
    CHECK(ssh::ssh_signal_name(SIGTERM) == "TERM");
    CHECK(ssh::ssh_signal_name(SIGHUP) == "HUP");
    CHECK_FALSE(ssh::ssh_signal_name(0).has_value());
}

TEST_CASE("SignalPipe turns SIGINT and SIGTERM into bytes and restores the old handlers") {
    struct sigaction before {};
    ::sigaction(SIGINT, nullptr, &before);
    {
        ssh::SignalPipe pipe;
        CHECK_FALSE(pipe.take().has_value());
        std::raise(SIGINT);
        std::raise(SIGTERM);
        std::raise(SIGPIPE);  // ignored while the pipe lives
        CHECK(pipe.take() == SIGINT);
        CHECK(pipe.take() == SIGTERM);
        CHECK_FALSE(pipe.take().has_value());
    }
    struct sigaction after {};
    ::sigaction(SIGINT, nullptr, &after);
    CHECK(after.sa_handler == before.sa_handler);
}
