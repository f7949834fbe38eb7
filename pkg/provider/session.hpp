// SPDX-License-Identifier: MIT
#pragma once

#include <memory>

#include "pkg/dokploy/client.hpp"
#include "pkg/http/curl_http_client.hpp"
#include "pkg/http/sleeper.hpp"
#include "pkg/provider/options.hpp"

namespace dokploy_provider::provider {

// One subcommand's connection to Dokploy: the validated options and a client built from them. The HTTP
// client and sleeper can be replaced (tests); by default they are libcurl and the real clock.
class Session {
public:
    explicit Session(Options options);
    Session(Options options, http::HttpClient& http, http::Sleeper& sleeper);

    [[nodiscard]] const Options& options() const noexcept { return m_options; }
    [[nodiscard]] dokploy::Client& client() noexcept { return *m_client; }
    [[nodiscard]] http::Sleeper& sleeper() noexcept { return *m_sleeper; }

    // Bounds all further API work of this session (every request, retry and wait, not SSH probes or other
    // work between requests) by api_time_budget(): for
    // the subcommands that only talk to Dokploy (init, status, stop, delete), which DevPod waits for without a
    // timeout of its own.
    void limit_api_time();

private:
    Options m_options;
    std::unique_ptr<http::HttpClient> m_owned_http;
    std::unique_ptr<http::Sleeper> m_owned_sleeper;
    http::Sleeper* m_sleeper = nullptr;
    std::unique_ptr<dokploy::Client> m_client;
};

}  // namespace dokploy_provider::provider
