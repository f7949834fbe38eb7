// SPDX-License-Identifier: MIT
#include "pkg/ssh/connection.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include "pkg/ssh/keys.hpp"
#include "pkg/ssh/ssh_global.hpp"
#include "tests/support/catch.hpp"
#include "tests/support/temp_dir.hpp"

namespace core = dokploy_provider::core;
namespace ssh = dokploy_provider::ssh;
using dokploy_provider::testing::TempDir;

namespace {

// A TCP socket bound to 127.0.0.1 on a free port; listening (accepting nothing, saying nothing) or not.
class LocalSocket {
public:
    explicit LocalSocket(bool listening) : m_fd(::socket(AF_INET, SOCK_STREAM, 0)) {
        REQUIRE(m_fd >= 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(m_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
        socklen_t length = sizeof address;
        REQUIRE(::getsockname(m_fd, reinterpret_cast<sockaddr*>(&address), &length) == 0);
        m_port = ntohs(address.sin_port);
        if (listening) {
            REQUIRE(::listen(m_fd, 4) == 0);
        }
    }
    ~LocalSocket() { ::close(m_fd); }
    LocalSocket(const LocalSocket&) = delete;
    LocalSocket& operator=(const LocalSocket&) = delete;
    [[nodiscard]] int port() const { return m_port; }

private:
    int m_fd;
    int m_port = 0;
};

struct MachineKeys {
    TempDir dir;
    ssh::Credentials credentials{dir.path() / "id_ed25519", dir.path() / "ssh_host_ed25519_key.pub"};
    MachineKeys() {
        ssh::generate_ed25519_keypair(credentials.client_key, dir.path() / "id_ed25519.pub");
        ssh::generate_ed25519_keypair(dir.path() / "ssh_host_ed25519_key", credentials.pinned_host_public_key);
    }
};

}  // namespace

TEST_CASE("endpoints are described as user@host:port") {
    CHECK(ssh::describe({"203.0.113.7", 2222, "root"}) == "root@203.0.113.7:2222");
    CHECK(ssh::describe({"2001:db8::7", 2222, "dev"}) == "dev@[2001:db8::7]:2222");
}

TEST_CASE("a host-key mismatch says what happened and what to do") {
    const ssh::HostKeyMismatch error("127.0.0.1:2222", "the server presented SHA256:x");
    const std::string message = error.what();
    CHECK(error.exit_code() == core::ExitCode::ssh_failure);
    CHECK_THAT(message, Catch::Matchers::Contains("host key of 127.0.0.1:2222 changed"));
    CHECK_THAT(message, Catch::Matchers::Contains("SHA256:x"));
    CHECK_THAT(message, Catch::Matchers::Contains("man-in-the-middle"));
    CHECK_THAT(message, Catch::Matchers::Contains("devpod delete"));
}

TEST_CASE("a closed port is unreachable, at once") {
    const ssh::SshGlobal libssh;
    const MachineKeys keys;
    int port = 0;
    {
        const LocalSocket socket(false);
        port = socket.port();
    }
    const ssh::Endpoint endpoint{"127.0.0.1", port, "root"};
    const auto start = std::chrono::steady_clock::now();
    CHECK(ssh::probe_ssh(endpoint, keys.credentials, core::Millis(5000)) == ssh::ProbeResult::unreachable);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
    try {
        (void)ssh::Connection::open(endpoint, keys.credentials);
        FAIL("connected to a closed port");
    } catch (const ssh::HostKeyMismatch&) {
        FAIL("a closed port is not a host-key mismatch");
    } catch (const core::SshError& e) {
        CHECK_THAT(std::string(e.what()), Catch::Matchers::Contains("127.0.0.1:" + std::to_string(port)));
    }
}

TEST_CASE("a server that never speaks fails within the connect timeout") {
    const ssh::SshGlobal libssh;
    const MachineKeys keys;
    const LocalSocket silent(true);
    const auto start = std::chrono::steady_clock::now();
    CHECK(ssh::probe_ssh({"127.0.0.1", silent.port(), "root"}, keys.credentials, core::Millis(400)) ==
          ssh::ProbeResult::unreachable);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
}

TEST_CASE("probing with missing key files is an error, not an outcome") {
    const ssh::SshGlobal libssh;
    const TempDir dir;
    const ssh::Credentials credentials{dir.path() / "id_ed25519", dir.path() / "ssh_host_ed25519_key.pub"};
    CHECK_THROWS_AS(ssh::probe_ssh({"127.0.0.1", 22, "root"}, credentials, core::Millis(100)), core::SshError);
}
