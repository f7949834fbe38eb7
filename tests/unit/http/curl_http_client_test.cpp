// SPDX-License-Identifier: MIT
#include "pkg/http/curl_http_client.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "pkg/core/errors.hpp"
#include "pkg/core/redact.hpp"
#include "pkg/http/curl_global.hpp"
#include "tests/support/catch.hpp"
#include "tests/unit/http/log_capture.hpp"
#include "tests/unit/http/loopback_server.hpp"

namespace http = dokploy_provider::http;
using dokploy_provider::core::ConfigError;
using dokploy_provider::core::Millis;
using dokploy_provider::testing::LogCapture;
using dokploy_provider::testing::LoopbackServer;

namespace {

std::string ok(const std::string& body, const std::string& extra_headers = "") {
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + extra_headers +
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

http::ClientSettings quick() {
    http::ClientSettings settings;
    settings.connect_timeout = Millis(2'000);
    settings.total_timeout = Millis(5'000);
    return settings;
}

// A port on 127.0.0.1 nobody listens on (bound, then released).
int closed_port() {
    const LoopbackServer server({});
    return server.port();
}

const http::CurlGlobal k_curl;  // libcurl initialised once for this test executable

}  // namespace

TEST_CASE("CurlHttpClient sends method, headers and body, and reads status, headers and body") {
    LoopbackServer server({ok("{\"ok\":true}", "X-Custom:  spaced value \r\n"), ok("[]")});
    http::CurlHttpClient client(quick());

    const auto post = client.send({"POST",
                                   server.base() + "/api/compose.deploy",
                                   {{"x-api-key", "tok-abcdef"}, {"Content-Type", "application/json"}},
                                   "{\"composeId\":\"c1\"}"});
    CHECK(post.status == 200);
    CHECK(post.body == "{\"ok\":true}");
    CHECK(post.header("x-custom") == "spaced value");
    CHECK(post.header("Content-Type") == "application/json");
    CHECK_FALSE(post.header("missing"));

    const auto get = client.send({"GET", server.base() + "/api/project.all", {{"Accept", "application/json"}}, ""});
    CHECK(get.status == 200);
    CHECK(get.body == "[]");

    const auto requests = server.requests();
    REQUIRE(requests.size() == 2);
    CHECK(requests[0].starts_with("POST /api/compose.deploy HTTP/1.1\r\n"));
    CHECK(requests[0].find("x-api-key: tok-abcdef\r\n") != std::string::npos);
    CHECK(requests[0].find("User-Agent: dokploy-provider/") != std::string::npos);
    CHECK(requests[0].find("Expect:") == std::string::npos);
    CHECK(requests[0].ends_with("\r\n\r\n{\"composeId\":\"c1\"}"));
    CHECK(requests[1].starts_with("GET /api/project.all HTTP/1.1\r\n"));
    CHECK(server.connections() == 1);  // the connection was reused
}

TEST_CASE("CurlHttpClient never lets libcurl silently re-send a mutation on a dead reused connection") {
    SECTION("a GET on a reused connection that dies is re-sent by libcurl itself") {
        LoopbackServer server({ok("[]"), LoopbackServer::k_close, ok("[1]")});
        http::CurlHttpClient client(quick());
        CHECK(client.send({"GET", server.base() + "/api/project.all", {}, ""}).body == "[]");
        CHECK(client.send({"GET", server.base() + "/api/project.all", {}, ""}).body == "[1]");
        CHECK(server.requests().size() == 3);
    }
    SECTION("a POST on a reused connection that dies is reported as maybe delivered, not re-sent") {
        LoopbackServer server({ok("[]"), LoopbackServer::k_close, ok("{}")});
        http::CurlHttpClient client(quick());
        CHECK(client.send({"GET", server.base() + "/api/project.all", {}, ""}).status == 200);
        try {
            (void)client.send({"POST", server.base() + "/api/compose.create", {}, "{\"name\":\"ws\"}"});
            FAIL("expected a SendError");
        } catch (const http::SendError& error) {
            CHECK(error.retryable());
            CHECK(error.delivery() == http::Delivery::maybe_sent);
            CHECK(std::string(error.what()).find("not sent again") != std::string::npos);
        }
        CHECK(server.requests().size() == 2);  // the POST went out once
    }
}

TEST_CASE("CurlHttpClient sends mutations on the kept-alive connection while it is fresh") {
    SECTION("a POST right after a GET reuses its connection") {
        LoopbackServer server({ok("[]"), ok("{}"), ok("true")});
        http::CurlHttpClient client(quick());
        CHECK(client.send({"GET", server.base() + "/api/compose.one", {}, ""}).status == 200);
        CHECK(client.send({"POST", server.base() + "/api/compose.update", {}, "{}"}).status == 200);
        CHECK(client.send({"POST", server.base() + "/api/compose.deploy", {}, "{}"}).status == 200);
        CHECK(server.requests().size() == 3);
        CHECK(server.connections() == 1);
    }
    SECTION("a POST after 2 s of idleness opens a new connection; a GET still reuses an idle one") {
        LoopbackServer server({ok("[]"), ok("[]"), ok("{}")});
        http::CurlHttpClient client(quick());
        CHECK(client.send({"GET", server.base() + "/api/compose.one", {}, ""}).status == 200);
        std::this_thread::sleep_for(std::chrono::milliseconds(2'100));
        CHECK(client.send({"GET", server.base() + "/api/compose.one", {}, ""}).status == 200);
        CHECK(server.connections() == 1);
        std::this_thread::sleep_for(std::chrono::milliseconds(2'100));
        CHECK(client.send({"POST", server.base() + "/api/compose.stop", {}, "{}"}).status == 200);
        CHECK(server.connections() == 2);
    }
}

TEST_CASE("CurlHttpClient uses the configured User-Agent") {
    LoopbackServer server({ok("\"v0.30.2\"")});
    auto settings = quick();
    settings.user_agent = "dokploy-provider/9.9.9-test";
    http::CurlHttpClient client(settings);
    CHECK(client.send({"GET", server.base() + "/api/settings.getDokployVersion", {}, ""}).status == 200);
    CHECK(server.requests().at(0).find("User-Agent: dokploy-provider/9.9.9-test\r\n") != std::string::npos);
}

TEST_CASE("CurlHttpClient does not follow redirects and returns non-2xx answers as responses") {
    LoopbackServer server(
        {"HTTP/1.1 301 Moved Permanently\r\nLocation: https://dokploy.test/api/project.create\r\n"
         "Content-Length: 0\r\n\r\n",
         "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 7\r\nContent-Length: 4\r\n\r\nbusy"});
    http::CurlHttpClient client(quick());
    const auto redirect = client.send({"POST", server.base() + "/api/project.create", {}, "{}"});
    CHECK(redirect.status == 301);
    CHECK(redirect.header("location") == "https://dokploy.test/api/project.create");
    const auto busy = client.send({"GET", server.base() + "/api/project.all", {}, ""});
    CHECK(busy.status == 503);
    CHECK(busy.header("Retry-After") == "7");
    CHECK(busy.body == "busy");
    CHECK(server.requests().size() == 2);
}

TEST_CASE("CurlHttpClient reports a refused connection as retryable and not sent") {
    const auto port = closed_port();
    http::CurlHttpClient client(quick());
    try {
        (void)client.send({"POST", "http://127.0.0.1:" + std::to_string(port) + "/api/compose.create", {}, "{}"});
        FAIL("expected a SendError");
    } catch (const http::SendError& error) {
        CHECK(error.retryable());
        CHECK(error.delivery() == http::Delivery::not_sent);
        CHECK(std::string(error.what()).find("couldn't connect to 127.0.0.1:" + std::to_string(port)) !=
              std::string::npos);
    }
}

TEST_CASE("CurlHttpClient reports a timeout after sending as retryable and maybe delivered") {
    LoopbackServer server({""});  // reads the request, never answers
    auto settings = quick();
    settings.total_timeout = Millis(300);
    http::CurlHttpClient client(settings);
    try {
        (void)client.send({"POST", server.base() + "/api/compose.deploy", {}, "{\"composeId\":\"c1\"}"});
        FAIL("expected a SendError");
    } catch (const http::SendError& error) {
        CHECK(error.retryable());
        CHECK(error.delivery() == http::Delivery::maybe_sent);
        CHECK(std::string(error.what()).find("timed out") != std::string::npos);
    }
}

TEST_CASE("CurlHttpClient reports a TLS handshake failure as not retryable, naming the host") {
    LoopbackServer server({"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"}, true);
    http::CurlHttpClient client(quick());
    try {
        (void)client.send({"GET", "https://127.0.0.1:" + std::to_string(server.port()) + "/api/project.all", {}, ""});
        FAIL("expected a SendError");
    } catch (const http::SendError& error) {
        CHECK_FALSE(error.retryable());
        CHECK(std::string(error.what()).find("127.0.0.1") != std::string::npos);
    }
}

TEST_CASE("CurlHttpClient rejects header values with line breaks") {
    http::CurlHttpClient client(quick());
    CHECK_THROWS_AS(client.send({"GET", "http://127.0.0.1:1/", {{"x-api-key", "a\r\nHost: evil"}}, ""}),
                    dokploy_provider::core::Error);
}

TEST_CASE("CurlHttpClient logs header traffic at debug level with the API key masked") {
    dokploy_provider::core::clear_secrets();
    LoopbackServer server({ok("[]"), ok("[]")});
    http::CurlHttpClient client(quick());
    std::string text;
    {
        const LogCapture log(spdlog::level::debug);
        (void)client.send({"GET", server.base() + "/api/project.all", {{"x-api-key", "unregistered-key-123"}}, ""});
        text = log.text();
    }
    CHECK(text.find("curl: > GET /api/project.all HTTP/1.1") != std::string::npos);
    CHECK(text.find("curl: > x-api-key: [REDACTED]") != std::string::npos);
    CHECK(text.find("curl: < HTTP/1.1 200 OK") != std::string::npos);
    CHECK(text.find("unregistered-key-123") == std::string::npos);
    CHECK(text.find("[]") == std::string::npos);  // bodies are not logged at debug

    const LogCapture quiet(spdlog::level::info);
    (void)client.send({"GET", server.base() + "/api/project.all", {{"x-api-key", "k"}}, ""});
    CHECK(quiet.text().empty());
}

TEST_CASE("CurlHttpClient checks DOKPLOY_CA_FILE when it is set") {
    const auto folder = std::filesystem::temp_directory_path() / "dp_http_ca_test";
    std::filesystem::create_directories(folder);
    auto settings = quick();

    settings.ca_file = folder / "missing.pem";
    CHECK_THROWS_AS(http::CurlHttpClient(settings), ConfigError);

    settings.ca_file = folder / "not-pem.txt";
    std::ofstream(*settings.ca_file) << "just text\n";
    CHECK_THROWS_AS(http::CurlHttpClient(settings), ConfigError);

    // A well-formed PEM file is accepted (added to the system store, requests still work over http).
    settings.ca_file = folder / "ca.pem";
    std::ofstream(*settings.ca_file) << "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    LoopbackServer server({ok("[]")});
    http::CurlHttpClient client(settings);
    CHECK(client.send({"GET", server.base() + "/api/server.all", {}, ""}).status == 200);
    std::filesystem::remove_all(folder);
}
