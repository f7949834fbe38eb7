// SPDX-License-Identifier: MIT
#include "pkg/provider/session.hpp"

#include <algorithm>

#include "pkg/core/build_info.hpp"

namespace dokploy_provider::provider {
namespace {

constexpr core::Millis k_max_connect_timeout{10'000};

http::ClientSettings http_settings(const Options& options) {
    http::ClientSettings settings;
    settings.connect_timeout = std::min(options.request_timeout, k_max_connect_timeout);
    settings.total_timeout = options.request_timeout;
    settings.ca_file = options.ca_file;
    settings.user_agent = std::string("dokploy-provider/") + core::k_version;
    return settings;
}

// Retries are bounded by count, and one call with its retries by the API time budget.
http::RetryPolicy retry_policy(const Options& options) {
    http::RetryPolicy policy;
    policy.max_total = api_time_budget(options);
    return policy;
}

}  // namespace

Session::Session(Options options)
    : m_options(std::move(options)),
      m_owned_http(std::make_unique<http::CurlHttpClient>(http_settings(m_options))),
      m_owned_sleeper(std::make_unique<http::RealSleeper>()),
      m_sleeper(m_owned_sleeper.get()),
      m_client(std::make_unique<dokploy::Client>(*m_owned_http, m_options.server_url, m_options.api_token,
                                                 retry_policy(m_options), *m_sleeper)) {}

void Session::limit_api_time() { m_client->limit_api_time(api_time_budget(m_options)); }

Session::Session(Options options, http::HttpClient& http, http::Sleeper& sleeper)
    : m_options(std::move(options)),
      m_sleeper(&sleeper),
      m_client(std::make_unique<dokploy::Client>(http, m_options.server_url, m_options.api_token,
                                                 retry_policy(m_options), sleeper)) {}

}  // namespace dokploy_provider::provider
