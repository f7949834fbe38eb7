// SPDX-License-Identifier: MIT
#pragma once

#include <stdexcept>
#include <string>

#include "pkg/core/exit_code.hpp"

namespace dokploy_provider::core {

// Base of every failure the provider reports. The message is made one line (core::one_line) and free of
// secrets (core::redact) on construction, and names
// the variable, field or endpoint at fault. `exit_code()` is what `main` returns for it.
class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message, ExitCode code = ExitCode::failure);
    [[nodiscard]] ExitCode exit_code() const noexcept { return m_code; }

private:
    ExitCode m_code;
};

// A bad option or environment value. Exit 2; raised before any request is sent.
class ConfigError : public Error {
public:
    explicit ConfigError(const std::string& message) : Error(message, ExitCode::usage) {}
};

// Transport trouble talking to Dokploy: DNS, connect, TLS, reset, timeout. `retryable()` tells the retry
// policy whether repeating the request can help.
class TransportError : public Error {
public:
    TransportError(const std::string& message, bool retryable) : Error(message), m_retryable(retryable) {}
    [[nodiscard]] bool retryable() const noexcept { return m_retryable; }

private:
    bool m_retryable;
};

// Dokploy answered with a non-2xx status, or with a body that is not what the endpoint promises
// (`http_status` is then the 2xx status it came with).
class ApiError : public Error {
public:
    ApiError(const std::string& message, std::string endpoint, long http_status, std::string server_code = {});
    [[nodiscard]] const std::string& endpoint() const noexcept { return m_endpoint; }
    [[nodiscard]] long http_status() const noexcept { return m_http_status; }
    [[nodiscard]] const std::string& server_code() const noexcept { return m_server_code; }

private:
    std::string m_endpoint;
    long m_http_status;
    std::string m_server_code;
};

// SSH failure: connect, host-key mismatch, authentication, channel. Exit 255 like OpenSSH's client.
class SshError : public Error {
public:
    explicit SshError(const std::string& message) : Error(message, ExitCode::ssh_failure) {}
};

}  // namespace dokploy_provider::core
