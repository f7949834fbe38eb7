// SPDX-License-Identifier: MIT
#include "pkg/ssh/connection.hpp"

#include <libssh/callbacks.h>
#include <libssh/libssh.h>
#include <spdlog/spdlog.h>

#include <utility>

#include "pkg/core/net.hpp"
#include "pkg/log/logging.hpp"
#include "pkg/ssh/keys.hpp"

namespace dokploy_provider::ssh {
namespace {

// TCP keepalive: first probe after 15 s of silence, then every 5 s, dead after 3 unanswered probes; and
// unacknowledged data (our keepalive messages included) kills the connection after 30 s (Linux).
constexpr core::net::KeepaliveSettings k_keepalive{15, 5, 3, 30'000};

// No known_hosts files: the host key is pinned by us.
#ifdef _WIN32
constexpr const char* k_null_device = "NUL";
#else
constexpr const char* k_null_device = "/dev/null";
#endif

// Cipher preference: AES-GCM first (hardware-accelerated on x86-64 and arm64, measurably faster than
// libssh's default chacha20-poly1305 for bulk data), then the rest of OpenSSH sshd's default set.
constexpr const char* k_ciphers =
    "aes128-gcm@openssh.com,aes256-gcm@openssh.com,chacha20-poly1305@openssh.com,aes256-ctr,aes128-ctr";

void forward_libssh_log(int /*priority*/, const char* /*function*/, const char* buffer, void* /*userdata*/) {
    log::debug_lines("libssh", buffer != nullptr ? buffer : "");
}

// libssh logs only when our own debug logging is on, and then only through spdlog (stderr, redacted).
void configure_libssh_logging() {
    if (spdlog::should_log(spdlog::level::debug)) {
        ssh_set_log_callback(forward_libssh_log);
        ssh_set_log_level(SSH_LOG_PROTOCOL);
    } else {
        ssh_set_log_level(SSH_LOG_NOLOG);
    }
}

void set_option(ssh_session session, ssh_options_e option, const void* value, const char* name) {
    if (ssh_options_set(session, option, value) < 0) {
        throw core::SshError(std::string("cannot set the libssh option ") + name + ": " + ssh_get_error(session));
    }
}

// Host-key algorithms that make the server present a key of the pinned key's type.
const char* host_key_algorithms(ssh_key pinned) {
    switch (ssh_key_type(pinned)) {
        case SSH_KEYTYPE_ED25519:
            return "ssh-ed25519";
        case SSH_KEYTYPE_ECDSA_P256:
            return "ecdsa-sha2-nistp256";
        case SSH_KEYTYPE_ECDSA_P384:
            return "ecdsa-sha2-nistp384";
        case SSH_KEYTYPE_ECDSA_P521:
            return "ecdsa-sha2-nistp521";
        case SSH_KEYTYPE_RSA:
            return "rsa-sha2-512,rsa-sha2-256";
        default:
            return nullptr;
    }
}

void configure(ssh_session session, const Endpoint& endpoint, const ConnectSettings& settings, ssh_key pinned) {
    const bool no = false;
    const int yes = 1;
    const auto ms = std::max<long>(1, static_cast<long>(settings.connect_timeout.count()));
    const long seconds = ms / 1000;
    const long microseconds = ms % 1000 * 1000;
    set_option(session, SSH_OPTIONS_PROCESS_CONFIG, &no, "PROCESS_CONFIG");
    set_option(session, SSH_OPTIONS_HOST, endpoint.host.c_str(), "HOST");
    set_option(session, SSH_OPTIONS_PORT, &endpoint.port, "PORT");
    set_option(session, SSH_OPTIONS_USER, endpoint.user.c_str(), "USER");
    set_option(session, SSH_OPTIONS_TIMEOUT, &seconds, "TIMEOUT");
    set_option(session, SSH_OPTIONS_TIMEOUT_USEC, &microseconds, "TIMEOUT_USEC");
    set_option(session, SSH_OPTIONS_KNOWNHOSTS, k_null_device, "KNOWNHOSTS");
    set_option(session, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, k_null_device, "GLOBAL_KNOWNHOSTS");
    set_option(session, SSH_OPTIONS_NODELAY, &yes, "NODELAY");
    set_option(session, SSH_OPTIONS_CIPHERS_C_S, k_ciphers, "CIPHERS_C_S");
    set_option(session, SSH_OPTIONS_CIPHERS_S_C, k_ciphers, "CIPHERS_S_C");
    if (const auto* algorithms = host_key_algorithms(pinned)) {
        set_option(session, SSH_OPTIONS_HOSTKEYS, algorithms, "HOSTKEYS");
    }
}

// "SHA256:..." for messages; "?" when libssh cannot hash the key.
std::string fingerprint(ssh_key key) {
    unsigned char* raw_hash = nullptr;
    std::size_t length = 0;
    if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &raw_hash, &length) != SSH_OK) {
        return "?";
    }
    const KeyHashPtr hash(raw_hash);
    const CStringPtr text(ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash.get(), length));
    return text ? std::string(text.get()) : "?";
}

std::string host_port(const Endpoint& endpoint) {
    const bool ipv6 = endpoint.host.find(':') != std::string::npos;
    return (ipv6 ? "[" + endpoint.host + "]" : endpoint.host) + ":" + std::to_string(endpoint.port);
}

struct Attempt {
    SessionPtr session;  // set only when `result` is ready
    ProbeResult result = ProbeResult::unreachable;
    std::string message;
};

// One connection attempt with already-loaded keys. Outcomes are values; throws only for local trouble.
Attempt attempt(const Endpoint& endpoint, const Credentials& credentials, const ConnectSettings& settings,
                ssh_key client_key, ssh_key pinned) {
    configure_libssh_logging();
    SessionPtr session(ssh_new());
    if (!session) {
        throw core::SshError("libssh could not allocate a session");
    }
    configure(session.get(), endpoint, settings, pinned);
    spdlog::debug("connecting to {}", describe(endpoint));
    if (ssh_connect(session.get()) != SSH_OK) {
        return {nullptr, ProbeResult::unreachable,
                "cannot connect to " + host_port(endpoint) + " within " +
                    core::format_duration(settings.connect_timeout) + ": " + ssh_get_error(session.get())};
    }
    core::net::enable_keepalive(ssh_get_fd(session.get()), k_keepalive);

    ssh_key raw_server_key = nullptr;
    if (ssh_get_server_publickey(session.get(), &raw_server_key) != SSH_OK) {
        return {nullptr, ProbeResult::unreachable, "the SSH server at " + host_port(endpoint) + " sent no host key"};
    }
    const KeyPtr server_key(raw_server_key);
    if (ssh_key_cmp(server_key.get(), pinned, SSH_KEY_CMP_PUBLIC) != 0) {
        return {nullptr, ProbeResult::host_key_mismatch,
                "the server presented " + fingerprint(server_key.get()) + " but " + fingerprint(pinned) +
                    " was pinned at create in " + credentials.pinned_host_public_key.string()};
    }

    const auto rc = ssh_userauth_publickey(session.get(), nullptr, client_key);
    if (rc == SSH_AUTH_SUCCESS) {
        spdlog::debug("authenticated as {}", describe(endpoint));
        return {std::move(session), ProbeResult::ready, {}};
    }
    if (rc == SSH_AUTH_ERROR) {
        return {nullptr, ProbeResult::unreachable,
                "SSH authentication with " + host_port(endpoint) + " failed: " + ssh_get_error(session.get())};
    }
    return {nullptr, ProbeResult::auth_refused,
            "authentication as " + describe(endpoint) + " was refused for the client key " +
                credentials.client_key.string() +
                "; the machine does not accept this key: delete the machine (`devpod delete`) and create it again"};
}

}  // namespace

HostKeyMismatch::HostKeyMismatch(const std::string& host_port, const std::string& detail)
    : core::SshError("the SSH host key of " + host_port + " changed" + (detail.empty() ? "" : " (" + detail + ")") +
                     ": this can mean a man-in-the-middle attack, so nothing was sent to it. If you trust that the "
                     "machine was rebuilt, delete it (`devpod delete`) and create it again") {}

std::string describe(const Endpoint& endpoint) {
    return endpoint.user + "@" + host_port(endpoint);
}

Connection::Connection(SessionPtr session, Endpoint endpoint)
    : m_session(std::move(session)), m_endpoint(std::move(endpoint)) {}

Connection::~Connection() {
    if (m_session) {
        ssh_set_blocking(m_session.get(), 0);  // never wait on a dead peer while saying goodbye
        ssh_disconnect(m_session.get());
    }
}

Connection Connection::open(const Endpoint& endpoint, const Credentials& credentials, const ConnectSettings& settings) {
    const auto client_key = import_private_key(credentials.client_key);
    const auto pinned = import_public_key(credentials.pinned_host_public_key);
    auto result = attempt(endpoint, credentials, settings, client_key.get(), pinned.get());
    switch (result.result) {
        case ProbeResult::ready:
            return Connection(std::move(result.session), endpoint);
        case ProbeResult::host_key_mismatch:
            throw HostKeyMismatch(host_port(endpoint), result.message);
        case ProbeResult::unreachable:
        case ProbeResult::auth_refused:
            break;
    }
    throw core::SshError(result.message);
}

ProbeResult probe_ssh(const Endpoint& endpoint, const Credentials& credentials, core::Millis timeout) {
    const auto client_key = import_private_key(credentials.client_key);
    const auto pinned = import_public_key(credentials.pinned_host_public_key);
    auto result = attempt(endpoint, credentials, ConnectSettings{timeout}, client_key.get(), pinned.get());
    if (result.result == ProbeResult::ready) {
        ssh_disconnect(result.session.get());
    } else {
        spdlog::debug("SSH probe: {}", result.message);
    }
    return result.result;
}

}  // namespace dokploy_provider::ssh
