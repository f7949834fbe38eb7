// SPDX-License-Identifier: MIT
// Error mapping: non-2xx answers and 2xx bodies that are not what the procedure promises.
#include "pkg/core/redact.hpp"
#include "tests/support/catch.hpp"
#include "tests/unit/dokploy/client_fixture.hpp"

using dokploy_provider::core::ApiError;
using dokploy_provider::core::Error;
using dokploy_provider::testing::ClientFixture;
using dokploy_provider::testing::k_token;
using dokploy_provider::testing::sample;

namespace {

// The ApiError a call throws (fails the test when it throws nothing or something else).
template <typename Call>
ApiError api_error(Call call) {
    try {
        call();
    } catch (const ApiError& error) {
        return error;
    }
    FAIL("expected an ApiError");
    throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("401 means the token was rejected") {
    ClientFixture f;
    f.http.respond(401, sample("error_401_unauthorized.json"));
    const auto error = api_error([&] { (void)f.client.projects(); });
    CHECK(std::string(error.what()) ==
          "DOKPLOY_API_TOKEN was rejected by dokploy.example.com (401 on project.all): it is wrong, revoked, or rate "
          "limited. A key created through Dokploy's API with default settings allows only about 5 provider calls a "
          "day; generate one in Dokploy's UI (Profile > API/CLI), which has no limit, and set it with `devpod "
          "provider set-options`");
    CHECK(error.endpoint() == "project.all");
    CHECK(error.http_status() == 401);
    CHECK(error.server_code().empty());  // Dokploy's 401 body is only {"message":"Unauthorized"}
}

TEST_CASE("a 401 after the token was accepted points at the rate limit") {
    // Dokploy answers a rate-limited key like a wrong one: the only hint is that it worked a moment ago.
    ClientFixture f;
    f.current();
    f.http.respond(401, sample("error_401_unauthorized.json"));
    (void)f.client.version();
    const auto error = api_error([&] { (void)f.client.projects(); });
    CHECK_THAT(error.what(), Catch::Contains("it was accepted moments ago, so it is rate limited or was just revoked"));
    CHECK_THAT(error.what(), Catch::Contains("Profile > API/CLI"));
}

TEST_CASE("a 401 with a specific message reports that message") {
    ClientFixture f;
    f.current();
    f.http.respond(401, sample("error_401_needs_server.json"));
    dokploy_provider::dokploy::NewCompose spec;
    spec.name = "ws";
    spec.environment_id = "e1";
    const auto error = api_error([&] { (void)f.client.create_compose(spec); });
    CHECK(std::string(error.what()) ==
          "dokploy.example.com refused compose.create: HTTP 401 UNAUTHORIZED: You need "
          "to use a server to create a compose");
}

TEST_CASE("403 means the token lacks a permission") {
    ClientFixture f;
    f.current();
    f.http.respond(403, sample("error_403_forbidden.json"));
    const auto error = api_error([&] { (void)f.client.environments("p1"); });
    CHECK_THAT(error.what(), Catch::StartsWith("DOKPLOY_API_TOKEN lacks permission for environment.byProjectId on "
                                               "dokploy.example.com (HTTP 403 FORBIDDEN: You are not allowed"));
    CHECK(error.http_status() == 403);
}

TEST_CASE("404 on a route hints at a wrong URL or an old Dokploy, 404 on a resource is nullopt") {
    ClientFixture f("https://example.com/dokploy");
    f.http.respond(404, sample("error_404_route.json"))
        .respond(404, "<html><body>404 Not Found</body></html>")
        .respond(404, sample("error_404_compose.json"));
    auto error = api_error([&] { (void)f.client.find_compose("c1"); });
    CHECK(std::string(error.what()) ==
          "compose.one failed: HTTP 404 NOT_FOUND: Not found; check that DOKPLOY_SERVER_URL "
          "(https://example.com/dokploy) points at Dokploy and that Dokploy is v0.22.0 or newer");
    error = api_error([&] { (void)f.client.servers(); });
    CHECK_THAT(error.what(), Catch::StartsWith("server.all failed: HTTP 404 with a non-JSON body (an HTML page"));
    CHECK_FALSE(f.client.find_compose("c1"));

    f.http.respond(404, R"({"message":"No procedure found on path \"/compose.one\"","code":"NOT_FOUND"})")
        .respond(404, R"({"message":"Not found: /dokploy/api/compose.one","code":"NOT_FOUND"})");
    CHECK_THROWS_WITH(f.client.find_compose("c1"), Catch::EndsWith("Dokploy is v0.22.0 or newer"));
    CHECK_THROWS_WITH(f.client.find_compose("c1"), Catch::EndsWith("Dokploy is v0.22.0 or newer"));

    f.http.respond(404, sample("error_404_compose.json"));
    error = api_error([&] { f.client.deploy_compose("c1", "t"); });
    CHECK(std::string(error.what()) == "compose.deploy failed: HTTP 404 NOT_FOUND: Compose not found");
}

TEST_CASE("other statuses report Dokploy's code, message and validation issues") {
    ClientFixture f;
    f.http.respond(409, sample("error_409_conflict.json"))
        .respond(500, sample("error_500_internal.json"))
        .respond(400, sample("error_400_validation.json"));
    CHECK_THROWS_WITH(f.client.create_project("p", ""),
                      "project.create failed: HTTP 409 CONFLICT: Compose with this appName already exists");
    CHECK_THROWS_WITH(f.client.create_project("p", ""),
                      "project.create failed: HTTP 500 INTERNAL_SERVER_ERROR: Error creating the project: connect "
                      "ECONNREFUSED 10.0.1.4:5432");
    CHECK_THROWS_WITH(f.client.create_project("p", ""),
                      "project.create failed: HTTP 400 BAD_REQUEST: Input validation failed (name: Too small: "
                      "expected string to have >=1 characters; environmentId: Invalid input: expected string, "
                      "received undefined)");
}

TEST_CASE("non-JSON and empty error bodies are described, not parsed") {
    ClientFixture f;
    f.http.respond(500, "").respond(500, "upstream connect error or disconnect/reset before headers");
    CHECK_THROWS_WITH(f.client.start_compose("c1"), "compose.start failed: HTTP 500 with an empty body");
    CHECK_THROWS_WITH(f.client.start_compose("c1"),
                      "compose.start failed: HTTP 500 with a non-JSON body: upstream connect error or "
                      "disconnect/reset before headers");
}

TEST_CASE("a 502 that persists reports the attempts") {
    ClientFixture f;
    f.http.otherwise([](const dokploy_provider::http::Request&) {
        return dokploy_provider::http::Response{502, "<html>Bad Gateway</html>", {}};
    });
    CHECK_THROWS_WITH(f.client.servers(),
                      "server.all failed: HTTP 502 with a non-JSON body (an HTML page, not "
                      "Dokploy's API) after 5 attempts");
}

TEST_CASE("a redirect names the URL to use instead") {
    ClientFixture f("http://dokploy.example.com");
    f.http.respond(301, "", {{"location", "https://dokploy.example.com/api/project.create"}}).respond(302, "");
    CHECK_THROWS_WITH(f.client.create_project("p", ""),
                      "DOKPLOY_SERVER_URL redirects to https://dokploy.example.com; use that URL (HTTP 301 on "
                      "project.create)");
    CHECK_THROWS_WITH(f.client.projects(), Catch::StartsWith("DOKPLOY_SERVER_URL answered project.all with a "
                                                             "redirect (HTTP 302) but no Location"));
}

TEST_CASE("2xx bodies that are not what the procedure promises are errors, never data") {
    ClientFixture f;
    const auto expect = [&](const std::string& body, const std::string& problem) {
        f.http.respond(200, body);
        const auto error = api_error([&] { (void)f.client.find_compose("c1"); });
        CHECK(std::string(error.what()) == "Dokploy answered compose.one with an unexpected body: " + problem);
        CHECK(error.http_status() == 200);
    };
    expect("", "the body is empty");
    expect("<!DOCTYPE html><html></html>", "it is HTML, not JSON");
    expect(sample("current_compose.one.json").substr(0, 300), "it is not valid JSON (cut off?)");
    expect("[]", "expected an object, got array");
    expect(R"({"name":"ws","appName":"a","composeStatus":"idle","environmentId":"e"})", "missing field composeId");
    expect(R"({"composeId":"","name":"ws","appName":"a","composeStatus":"idle","environmentId":"e"})",
           "field composeId is empty");
    expect(R"({"composeId":42,"name":"ws","appName":"a","composeStatus":"idle","environmentId":"e"})",
           "field composeId is a number, not a string");
    expect(R"({"composeId":"c","name":"ws","appName":"a","composeStatus":"idle"})",
           "missing field environmentId (or projectId on Dokploy before v0.25)");
}

TEST_CASE("errors deep inside lists name the place") {
    ClientFixture f;
    f.http
        .respond(200, R"([{"projectId":"p","name":"n","environments":[{"environmentId":"e","name":"prod",)"
                      R"("compose":[{"composeId":"c","name":"x"},{"name":"y"}]}]}])")
        .respond(200, R"({"project":{"name":"no id"}})")
        .respond(200, R"([{"serverId":"s","name":"n","ipAddress":null}])");
    CHECK_THROWS_WITH(f.client.projects(),
                      "Dokploy answered project.all with an unexpected body: missing field "
                      "composeId at [0].environments[0].compose[1]");
    CHECK_THROWS_WITH(f.client.create_project("n", ""), Catch::EndsWith("missing field projectId at project"));
    CHECK_THROWS_WITH(f.client.servers(), Catch::EndsWith("missing field ipAddress at [0]"));
}

TEST_CASE("mutations accept true, {success: true, ...}, any JSON and an empty body") {
    ClientFixture f;
    f.http.respond(200, sample("legacy_compose.deploy.json"))
        .respond(200, sample("current_compose.deploy.json"))
        .respond(200, "")
        .respond(204, "")
        .respond(200, sample("current_compose.one.json"));
    CHECK_NOTHROW(f.client.deploy_compose("c1", "t1"));
    CHECK_NOTHROW(f.client.deploy_compose("c1", "t2"));
    CHECK_NOTHROW(f.client.deploy_compose("c1", "t3"));
    CHECK_NOTHROW(f.client.stop_compose("c1"));
    CHECK_NOTHROW(f.client.update_compose("c1", {}));
}

TEST_CASE("mutations refuse false, {success: false} and non-JSON 2xx bodies") {
    ClientFixture f;
    f.http.respond(200, "false")
        .respond(200, R"({"success":false,"message":"Queue is full"})")
        .respond(200, "<html>login</html>");
    CHECK_THROWS_WITH(f.client.deploy_compose("c1", "t"),
                      "Dokploy answered compose.deploy with an unexpected body: Dokploy reported failure");
    CHECK_THROWS_WITH(f.client.deploy_compose("c1", "t"), Catch::EndsWith("Dokploy reported failure: Queue is full"));
    CHECK_THROWS_WITH(f.client.start_compose("c1"), Catch::EndsWith("it is HTML, not JSON"));
}

TEST_CASE("the token never appears in an error message") {
    ClientFixture f;
    const std::string echo = std::string(R"({"message":"bad key )") + k_token + R"(","code":"BAD_REQUEST"})";
    f.http.respond(400, echo).respond(200, std::string("\"") + k_token + "\"");
    try {
        (void)f.client.projects();
        FAIL("expected an ApiError");
    } catch (const Error& error) {
        CHECK(std::string(error.what()).find(k_token) == std::string::npos);
        CHECK(std::string(error.what()).find("[REDACTED]") != std::string::npos);
    }
    try {
        (void)f.client.version();
        FAIL("expected an ApiError");
    } catch (const Error& error) {
        CHECK(std::string(error.what()).find(k_token) == std::string::npos);
    }
}
