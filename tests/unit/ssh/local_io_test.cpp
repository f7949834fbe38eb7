// SPDX-License-Identifier: MIT
#include "pkg/ssh/local_io.hpp"

#include <array>
#include <fcntl.h>
#include <string>
#include <thread>
#include <unistd.h>

#include "pkg/ssh/signal_pipe.hpp"
#include "tests/support/catch.hpp"

namespace ssh = dokploy_provider::ssh;

namespace {

// Both ends of a pipe, closed on destruction.
struct Pipe {
    std::array<int, 2> fds{-1, -1};
    Pipe() { REQUIRE(::pipe(fds.data()) == 0); }
    ~Pipe() { close_read(), close_write(); }
    Pipe(const Pipe&) = delete;
    Pipe& operator=(const Pipe&) = delete;
    [[nodiscard]] int read_end() const { return fds[0]; }
    [[nodiscard]] int write_end() const { return fds[1]; }
    void close_read() { close_fd(fds[0]); }
    void close_write() { close_fd(fds[1]); }
    static void close_fd(int& fd) {
        if (fd >= 0) {
            ::close(fd);
            fd = -1;
        }
    }
};

bool nonblocking(int fd) {
    return (::fcntl(fd, F_GETFL) & O_NONBLOCK) != 0;
}

}  // namespace

TEST_CASE("NonblockingGuard sets O_NONBLOCK for its lifetime only") {
    const Pipe pipe;
    CHECK_FALSE(nonblocking(pipe.read_end()));
    {
        const ssh::NonblockingGuard guard(pipe.read_end());
        CHECK(nonblocking(pipe.read_end()));
    }
    CHECK_FALSE(nonblocking(pipe.read_end()));
}

TEST_CASE("read_some reports data, would-block and end of file") {
    Pipe pipe;
    const ssh::NonblockingGuard guard(pipe.read_end());
    std::array<char, 16> buffer{};
    CHECK(ssh::read_some(pipe.read_end(), buffer).status == ssh::IoStatus::would_block);
    REQUIRE(::write(pipe.write_end(), "ping\n", 5) == 5);
    const auto result = ssh::read_some(pipe.read_end(), buffer);
    CHECK(result.status == ssh::IoStatus::ok);
    CHECK(std::string(buffer.data(), result.bytes) == "ping\n");
    pipe.close_write();
    CHECK(ssh::read_some(pipe.read_end(), buffer).status == ssh::IoStatus::end);
}

TEST_CASE("writing to a pipe whose reader is gone reports end, not a crash") {
    const ssh::SignalPipe signals;  // ignores SIGPIPE
    Pipe pipe;
    pipe.close_read();
    const std::string data = "yes\n";
    CHECK(ssh::write_some(pipe.write_end(), data).status == ssh::IoStatus::end);
    CHECK(ssh::write_all(pipe.write_end(), data).status == ssh::IoStatus::end);
}

TEST_CASE("write_all waits for a slow reader and writes everything in order") {
    Pipe pipe;
    const ssh::NonblockingGuard guard(pipe.write_end());
    std::string data(1 << 20, '\0');
    for (std::size_t i = 0; i < data.size(); ++i) {
        data[i] = static_cast<char>(i * 7 % 251);
    }
    std::string received;
    std::thread reader([&] {
        std::array<char, 4096> buffer{};
        for (;;) {
            const auto n = ::read(pipe.read_end(), buffer.data(), buffer.size());
            if (n <= 0) {
                break;
            }
            received.append(buffer.data(), static_cast<std::size_t>(n));
        }
    });
    const auto result = ssh::write_all(pipe.write_end(), data);
    pipe.close_write();
    reader.join();
    CHECK(result.status == ssh::IoStatus::ok);
    CHECK(result.bytes == data.size());
    CHECK(received == data);
}
