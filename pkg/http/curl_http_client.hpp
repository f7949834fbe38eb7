// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "pkg/core/duration.hpp"
#include "pkg/http/http_client.hpp"

namespace dokploy_provider::http {

struct ClientSettings {
    core::Millis connect_timeout{10'000};
    core::Millis total_timeout{30'000};  // whole request, connect included
    // Extra CA certificates (PEM), trusted in addition to the system store (DOKPLOY_CA_FILE).
    std::optional<std::filesystem::path> ca_file;
    std::string user_agent;  // empty: default_user_agent()
};

// "dokploy-provider/<version>".
[[nodiscard]] std::string default_user_agent();

// HttpClient over one libcurl easy handle, reused across requests so that one kept-alive connection serves
// them all. A mutation (anything but GET) is sent at most once per send(): it reuses the connection only when
// that was idle for less than 2 s (well inside the server's keep-alive), and libcurl is never allowed to re-send
// it on a new connection after the reused one died (SendError, Delivery::maybe_sent).
// TLS verification is always on; redirects are never followed (a 3xx is returned as the response).
// Not thread-safe: use one instance per thread. Needs a live CurlGlobal.
class CurlHttpClient final : public HttpClient {
public:
    // Throws core::ConfigError when `ca_file` cannot be read or holds no PEM certificate, core::Error when
    // libcurl cannot be set up.
    explicit CurlHttpClient(const ClientSettings& settings);
    ~CurlHttpClient() override;
    CurlHttpClient(const CurlHttpClient&) = delete;
    CurlHttpClient& operator=(const CurlHttpClient&) = delete;

    // Performs the request. Throws SendError naming the host: retryable for connect failures, resets and
    // timeouts; not retryable for DNS, TLS and certificate failures or a response over 16 MiB.
    Response send(const Request& request) override;

private:
    struct State;
    std::unique_ptr<State> m_state;
};

}  // namespace dokploy_provider::http
