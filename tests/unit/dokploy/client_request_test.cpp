// SPDX-License-Identifier: MIT
// How the client builds requests: URLs, query encoding, headers and JSON bodies.
#include <nlohmann/json.hpp>

#include "pkg/core/redact.hpp"
#include "tests/support/catch.hpp"
#include "tests/unit/dokploy/client_fixture.hpp"

using dokploy_provider::dokploy::ComposeUpdate;
using dokploy_provider::dokploy::NewCompose;
using dokploy_provider::testing::ClientFixture;
using dokploy_provider::testing::k_token;
using dokploy_provider::testing::recorded_text;
using dokploy_provider::testing::sample;
using nlohmann::json;

namespace {

std::string header(const dokploy_provider::http::Request& request, const std::string& name) {
    for (const auto& [key, value] : request.headers) {
        if (key == name) {
            return value;
        }
    }
    return "<absent>";
}

}  // namespace

TEST_CASE("GET requests carry the token, Accept and URL-encoded query parameters") {
    ClientFixture f;
    f.http.respond(404, sample("error_404_compose.json"));
    CHECK_FALSE(f.client.find_compose("a b&c=d/é"));
    const auto& request = f.http.last();
    CHECK(request.method == "GET");
    CHECK(request.url == "https://dokploy.example.com/api/compose.one?composeId=a%20b%26c%3Dd%2F%C3%A9");
    CHECK(header(request, "x-api-key") == k_token);
    CHECK(header(request, "Accept") == "application/json");
    CHECK(header(request, "Content-Type") == "<absent>");
    CHECK(request.body.empty());
}

TEST_CASE("URLs keep the path prefix and bracket IPv6 hosts") {
    ClientFixture f("http://[2001:db8::5]:3000/dokploy/");
    f.http.respond(200, sample("current_server.all.json"));
    (void)f.client.servers();
    CHECK(f.http.last().url == "http://[2001:db8::5]:3000/dokploy/api/server.all");
}

TEST_CASE("POST requests send JSON bodies with Content-Type") {
    ClientFixture f;
    SECTION("project.create") {
        f.http.respond(200, sample("current_project.create.json"));
        (void)f.client.create_project("devpod-workspaces", "DevPod \"workspaces\"");
        const auto& request = f.http.last();
        CHECK(request.method == "POST");
        CHECK(request.url == "https://dokploy.example.com/api/project.create");
        CHECK(header(request, "Content-Type") == "application/json");
        CHECK(header(request, "x-api-key") == k_token);
        CHECK(json::parse(request.body) ==
              json{{"name", "devpod-workspaces"}, {"description", "DevPod \"workspaces\""}});
    }
    SECTION("compose.update sends only the fields that are set") {
        f.http.respond(200, R"({"composeId":"c1","name":"devpod-ws","sourceType":"raw"})");
        ComposeUpdate update;
        update.compose_file = "services:\n  ws:\n    image: x\n";
        update.source_type = "raw";
        f.client.update_compose("c1", update);
        CHECK(json::parse(f.http.last().body) ==
              json{{"composeId", "c1"}, {"composeFile", "services:\n  ws:\n    image: x\n"}, {"sourceType", "raw"}});
    }
    SECTION("compose.update of a compose Dokploy does not know: 200 with an empty body is 'not found'") {
        f.http.respond(200, "");
        ComposeUpdate update;
        update.source_type = "raw";
        try {
            f.client.update_compose("gone", update);
            FAIL("expected an ApiError");
        } catch (const dokploy_provider::core::ApiError& error) {
            CHECK(error.http_status() == 404);
            CHECK(error.server_code() == "NOT_FOUND");
            CHECK_THAT(error.what(), Catch::Contains("the compose service gone does not exist in Dokploy"));
        }
        CHECK(f.http.requests().size() == 1);  // a mutation is never repeated
    }
    SECTION("compose.deploy, start, stop and delete") {
        f.http.respond(200, "true").respond(200, "true").respond(200, "true").respond(200, "{}");
        f.client.deploy_compose("c1", "devpod create ws 1");
        CHECK(json::parse(f.http.last().body) == json{{"composeId", "c1"}, {"title", "devpod create ws 1"}});
        f.client.start_compose("c1");
        CHECK(f.http.last().url.ends_with("/api/compose.start"));
        CHECK(json::parse(f.http.last().body) == json{{"composeId", "c1"}});
        f.client.stop_compose("c1");
        CHECK(f.http.last().url.ends_with("/api/compose.stop"));
        f.client.delete_compose("c1", true);
        CHECK(f.http.last().url.ends_with("/api/compose.delete"));
        CHECK(json::parse(f.http.last().body) == json{{"composeId", "c1"}, {"deleteVolumes", true}});
    }
    SECTION("project.remove") {
        f.http.respond(200, R"({"projectId":"p1","name":"devpod-workspaces"})");
        f.client.remove_project("p1");
        CHECK(f.http.last().url == "https://dokploy.example.com/api/project.remove");
        CHECK(json::parse(f.http.last().body) == json{{"projectId", "p1"}});
    }
    SECTION("environment.create") {
        f.current();
        f.http.respond(200, sample("current_environment.create.json"));
        const auto environment = f.client.create_environment("pNw3Dv8Kq2Xm6Lb1Rt9Zs", "devpod");
        CHECK(environment.environment_id == recorded_text("current_environment.create.json", "/environmentId"));
        const auto body = json::parse(f.http.last().body);
        CHECK(body["name"] == "devpod");
        CHECK(body["projectId"] == "pNw3Dv8Kq2Xm6Lb1Rt9Zs");
    }
}

TEST_CASE("compose.create sends environmentId on current Dokploy and projectId on legacy Dokploy") {
    NewCompose spec;
    spec.name = "ws-delta";
    spec.description = "DevPod workspace ws-delta";
    spec.environment_id = "eNv1Pr0dQ7xK2mL9sT4bW";
    spec.project_id = "Lp1Dv7Wk3Qs9Xa2Mb5Nc8";
    spec.server_id = "sRv3Ab8Cd1Ef6Gh2Ij9Kl";
    SECTION("current") {
        ClientFixture f;
        f.current();
        f.http.respond(200, sample("current_compose.create.json"));
        const auto compose = f.client.create_compose(spec);
        CHECK(compose.compose_id == recorded_text("current_compose.create.json", "/composeId"));
        CHECK(json::parse(f.http.last().body) == json{{"name", "ws-delta"},
                                                      {"description", "DevPod workspace ws-delta"},
                                                      {"environmentId", "eNv1Pr0dQ7xK2mL9sT4bW"},
                                                      {"composeType", "docker-compose"},
                                                      {"serverId", "sRv3Ab8Cd1Ef6Gh2Ij9Kl"}});
    }
    SECTION("legacy") {
        ClientFixture f;
        f.legacy();
        f.http.respond(200, sample("legacy_compose.create.json"));
        spec.server_id.reset();
        spec.app_name = "devpod-wsepsilon";
        (void)f.client.create_compose(spec);
        const auto body = json::parse(f.http.last().body);
        CHECK(body["projectId"] == "Lp1Dv7Wk3Qs9Xa2Mb5Nc8");
        CHECK_FALSE(body.contains("environmentId"));
        CHECK_FALSE(body.contains("serverId"));
        CHECK(body["appName"] == "devpod-wsepsilon");
    }
    SECTION("a spec without the id the layout needs is refused before sending") {
        ClientFixture f;
        f.current();
        spec.environment_id.clear();
        CHECK_THROWS_AS(f.client.create_compose(spec), dokploy_provider::core::Error);
        CHECK(f.http.requests().size() == 1);  // only the version
    }
}

TEST_CASE("the client registers its token as a secret") {
    dokploy_provider::core::clear_secrets();
    ClientFixture f;
    CHECK(dokploy_provider::core::redact(std::string("token=") + k_token) == "token=[REDACTED]");
}
