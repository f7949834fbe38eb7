// SPDX-License-Identifier: MIT
// Shared setup for the Dokploy client tests: a Client wired to a FakeHttpClient and a FakeSleeper, and the
// response samples of tests/data/dokploy.
#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "pkg/dokploy/client.hpp"
#include "pkg/http/url.hpp"
#include "tests/support/fake_http_client.hpp"

namespace dokploy_provider::testing {

inline constexpr const char* k_token = "dp-test-token-9f8e7d6c5b4a";

// The body of tests/data/dokploy/<name>.
inline std::string sample(const std::string& name) {
    const std::string path = std::string(DP_TEST_DATA_DIR) + "/dokploy/" + name;
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        throw std::runtime_error("missing test sample " + path);
    }
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

// tests/data/dokploy/<name> parsed: the recorded values (ids, timestamps) tests compare decoded fields with.
inline nlohmann::json recorded(const std::string& name) { return nlohmann::json::parse(sample(name)); }

// A string member of a recorded sample, by JSON pointer (e.g. "/0/projectId").
inline std::string recorded_text(const std::string& name, const std::string& pointer) {
    return recorded(name).at(nlohmann::json::json_pointer(pointer)).get<std::string>();
}

inline http::Url base_url(const std::string& text = "https://dokploy.example.com") {
    auto parsed = http::parse_url(text);
    if (!parsed.url) {
        throw std::runtime_error("bad test URL " + text);
    }
    return *parsed.url;
}

struct ClientFixture {
    FakeHttpClient http;
    FakeSleeper sleeper;
    http::RetryPolicy retry{};
    dokploy::Client client;

    explicit ClientFixture(const std::string& url = "https://dokploy.example.com")
        : client(http, base_url(url), k_token, retry, sleeper) {}

    // Scripts settings.getDokployVersion for the current (v0.30.2) or the legacy (v0.22.7) layout.
    void current() { http.respond(200, sample("current_settings.getDokployVersion.json")); }
    void legacy() { http.respond(200, sample("legacy_settings.getDokployVersion.json")); }
};

}  // namespace dokploy_provider::testing
