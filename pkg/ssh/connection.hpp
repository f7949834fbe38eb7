// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <string>

#include "pkg/core/duration.hpp"
#include "pkg/core/errors.hpp"
#include "pkg/ssh/ssh_handles.hpp"

namespace dokploy_provider::ssh {

// Where a machine's sshd listens.
struct Endpoint {
    std::string host;
    int port = 22;
    std::string user = "root";
};

// The key files of one machine: our client private key, and the host public key pinned at create.
struct Credentials {
    std::filesystem::path client_key;
    std::filesystem::path pinned_host_public_key;
};

struct ConnectSettings {
    // Bounds each blocking step on its own: TCP connect + banner + key exchange, then authentication,
    // then (for a command) channel open and exec.
    core::Millis connect_timeout{10'000};
};

// The server presented a host key other than the pinned one. Exit 255 like every SshError. The message
// names `host_port` ("host:port"), warns of a possible man-in-the-middle and says how to recover;
// `detail` (e.g. both fingerprints) is added when given.
class HostKeyMismatch : public core::SshError {
public:
    explicit HostKeyMismatch(const std::string& host_port, const std::string& detail = {});
};

// What probe_ssh found; only `ready` means a command can run.
enum class ProbeResult { ready, unreachable, host_key_mismatch, auth_refused };

// "user@host:port" (IPv6 hosts in brackets), for messages.
[[nodiscard]] std::string describe(const Endpoint& endpoint);

// An authenticated SSH connection (RAII over ssh_session; disconnects on destruction). Never reads
// ~/.ssh/config or known_hosts: the server must present the pinned host key.
class Connection {
public:
    // Connects within the timeout, checks the server's host key against the pinned one BEFORE
    // authenticating, then authenticates with the client key. TCP keepalive is on. Throws
    // HostKeyMismatch, or core::SshError for missing key files, an unreachable host or refused auth.
    [[nodiscard]] static Connection open(const Endpoint& endpoint, const Credentials& credentials,
                                         const ConnectSettings& settings = {});

    Connection(Connection&&) noexcept = default;
    Connection& operator=(Connection&&) = delete;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection();

    // The libssh session, for pkg/ssh's own use (channels, events).
    [[nodiscard]] ssh_session_struct* native() const noexcept { return m_session.get(); }
    [[nodiscard]] const Endpoint& endpoint() const noexcept { return m_endpoint; }

private:
    Connection(SessionPtr session, Endpoint endpoint);
    SessionPtr m_session;
    Endpoint m_endpoint;
};

// Does the handshake, the pinned host-key check and authentication, then disconnects; `timeout` bounds
// each step as ConnectSettings::connect_timeout does. Outcomes are values (no exception for an
// unreachable host, a key mismatch or refused auth); throws core::SshError only when a local key file is
// missing or malformed, which polling cannot fix.
[[nodiscard]] ProbeResult probe_ssh(const Endpoint& endpoint, const Credentials& credentials, core::Millis timeout);

}  // namespace dokploy_provider::ssh
