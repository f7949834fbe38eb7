// SPDX-License-Identifier: MIT
// Decoding both API layouts (v0.25+ environments, v0.22 legacy) from the recorded samples, and layout
// detection.
#include "tests/support/catch.hpp"
#include "tests/unit/dokploy/client_fixture.hpp"

using dokploy_provider::core::ApiError;
using dokploy_provider::dokploy::ApiLayout;
using dokploy_provider::dokploy::parse_server_version;
using dokploy_provider::testing::ClientFixture;
using dokploy_provider::testing::recorded_text;
using dokploy_provider::testing::sample;

TEST_CASE("parse_server_version reads Dokploy's version strings") {
    const auto v = parse_server_version("v0.30.2");
    REQUIRE(v);
    CHECK(v->text == "v0.30.2");
    CHECK((v->major == 0 && v->minor == 30 && v->patch == 2));
    CHECK(parse_server_version("0.22.7")->minor == 22);
    CHECK(parse_server_version("v0.25.0-canary.1")->minor == 25);
    CHECK(parse_server_version("v1.2")->patch == 0);
    CHECK_FALSE(parse_server_version(""));
    CHECK_FALSE(parse_server_version("canary"));
    CHECK_FALSE(parse_server_version("v0"));
    CHECK_FALSE(parse_server_version("v0.x.1"));
    CHECK_FALSE(parse_server_version("v0.1.2.3"));
    CHECK_FALSE(parse_server_version("v-1.2.3"));
}

TEST_CASE("version() proves the token and refuses Dokploy older than v0.22") {
    ClientFixture f;
    f.http.respond(200, "\"v0.30.2\"").respond(200, "\"v0.21.8\"").respond(200, "\"nightly\"").respond(200, "{}");
    CHECK(f.client.version().minor == 30);
    CHECK(f.http.last().url == "https://dokploy.example.com/api/settings.getDokployVersion");
    CHECK_THROWS_WITH(f.client.version(),
                      "Dokploy v0.21.8 is older than the oldest supported v0.22.0; upgrade Dokploy");
    CHECK_THROWS_WITH(f.client.version(), Catch::Contains("unexpected body: 'nightly' is not a version number"));
    CHECK_THROWS_WITH(f.client.version(), Catch::Contains("expected a version string, got object"));
}

TEST_CASE("layout() follows the version and is detected once") {
    SECTION("v0.30.2 has environments") {
        ClientFixture f;
        f.current();
        CHECK(f.client.layout() == ApiLayout::environments);
        CHECK(f.client.layout() == ApiLayout::environments);
        CHECK(f.http.requests().size() == 1);
    }
    SECTION("after version(), no second request") {
        ClientFixture f;
        f.current();
        CHECK(f.client.version().minor == 30);
        CHECK(f.client.layout() == ApiLayout::environments);
        CHECK(f.http.requests().size() == 1);
    }
    SECTION("v0.25.0-canary.1 has environments") {
        ClientFixture f;
        f.http.respond(200, "\"v0.25.0-canary.1\"");
        CHECK(f.client.layout() == ApiLayout::environments);
    }
    SECTION("v0.24.9 and v0.22.7 are legacy") {
        ClientFixture f;
        f.http.respond(200, "\"v0.24.9\"");
        CHECK(f.client.layout() == ApiLayout::legacy);
        ClientFixture g;
        g.legacy();
        CHECK(g.client.layout() == ApiLayout::legacy);
    }
}

TEST_CASE("layout() falls back to project.all's shape when the version does not tell, and never guesses") {
    SECTION("unreadable version, environments shape") {
        ClientFixture f;
        f.http.respond(200, "\"main\"").respond(200, sample("current_project.all.json"));
        CHECK(f.client.layout() == ApiLayout::environments);
    }
    SECTION("missing version route, legacy shape") {
        ClientFixture f;
        f.http.respond(404, sample("error_404_route.json")).respond(200, sample("legacy_project.all.json"));
        CHECK(f.client.layout() == ApiLayout::legacy);
    }
    SECTION("neither tells") {
        ClientFixture f;
        f.http.respond(200, "\"main\"").respond(200, "[]");
        CHECK_THROWS_WITH(f.client.layout(), Catch::Contains("cannot tell which API layout Dokploy at "
                                                             "dokploy.example.com uses: its version 'main'"));
    }
    SECTION("a rejected token is not a reason to guess") {
        ClientFixture f;
        f.http.respond(401, sample("error_401_unauthorized.json"));
        CHECK_THROWS_AS(f.client.layout(), ApiError);
        CHECK(f.http.requests().size() == 1);
    }
}

TEST_CASE("project.all's shape wins over a contradicting version") {
    ClientFixture f;
    f.legacy();
    CHECK(f.client.layout() == ApiLayout::legacy);
    f.http.respond(200, sample("current_project.all.json"));
    (void)f.client.projects();
    CHECK(f.client.layout() == ApiLayout::environments);
}

TEST_CASE("project.all decodes the environments layout") {
    ClientFixture f;
    f.http.respond(200, sample("current_project.all.json"));
    const auto projects = f.client.projects();
    REQUIRE(projects.size() == 1);
    const auto& workspaces = projects[0];
    const auto text = [](const std::string& pointer) { return recorded_text("current_project.all.json", pointer); };
    CHECK(workspaces.project_id == text("/0/projectId"));
    CHECK(workspaces.name == text("/0/name"));
    CHECK(workspaces.created_at == text("/0/createdAt"));
    CHECK(workspaces.compose.empty());
    REQUIRE(workspaces.environments.size() == 2);
    const auto& production = workspaces.environments[0];
    CHECK(production.environment_id == text("/0/environments/0/environmentId"));
    CHECK(production.name == "production");
    CHECK(production.project_id == text("/0/projectId"));  // filled from the project
    CHECK(production.is_default);
    REQUIRE(production.compose.size() == 1);
    CHECK(production.compose[0].compose_id == text("/0/environments/0/compose/0/composeId"));
    CHECK(production.compose[0].name == text("/0/environments/0/compose/0/name"));
    CHECK(production.compose[0].compose_status == "done");
    CHECK(production.compose[0].app_name.empty());  // project.all's compose summaries have no appName
    CHECK_FALSE(workspaces.environments[1].is_default);
    CHECK(workspaces.environments[1].compose.empty());
}

TEST_CASE("project.all decodes the legacy layout") {
    ClientFixture f;
    f.http.respond(200, sample("legacy_project.all.json"));
    const auto projects = f.client.projects();
    REQUIRE(projects.size() == 2);
    CHECK(projects[0].environments.empty());
    REQUIRE(projects[0].compose.size() == 1);
    const auto& compose = projects[0].compose[0];
    CHECK(compose.compose_id == "Lc3Ws5Gm1Hk7Qp2Xr9Tb4");
    CHECK(compose.app_name == "devpod-wsgamma-3f9k2a");
    CHECK(compose.server_id == "Ls8Rv3Mt6Qa1Wn5Xk2Zb7");
    CHECK(compose.compose_status == "done");
    CHECK(projects[1].compose.empty());
}

TEST_CASE("project.create decodes {project, environment} and the bare legacy project") {
    ClientFixture f;
    f.http.respond(200, sample("current_project.create.json")).respond(200, sample("legacy_project.create.json"));
    const auto current = f.client.create_project("devpod-workspaces", "");
    const auto project_id = recorded_text("current_project.create.json", "/project/projectId");
    CHECK(current.project.project_id == project_id);
    REQUIRE(current.environment);
    CHECK(current.environment->environment_id ==
          recorded_text("current_project.create.json", "/environment/environmentId"));
    CHECK(current.environment->name == "production");
    CHECK(current.environment->project_id == project_id);
    const auto legacy = f.client.create_project("devpod-workspaces", "");
    CHECK(legacy.project.project_id == "Lp4Nw7Qx2Dv9Km1Rt5Zb8");
    CHECK_FALSE(legacy.environment);
}

TEST_CASE("compose.one decodes both layouts") {
    ClientFixture f;
    f.http.respond(200, sample("current_compose.one.json")).respond(200, sample("legacy_compose.one.json"));
    const auto current = f.client.find_compose(recorded_text("current_compose.one.json", "/composeId"));
    REQUIRE(current);
    CHECK(current->app_name == recorded_text("current_compose.one.json", "/appName"));
    CHECK(current->compose_status == "done");
    CHECK(current->source_type == "raw");
    CHECK(current->compose_type == "docker-compose");
    CHECK(current->compose_file.find("privileged: true") != std::string::npos);
    CHECK(current->env.find("WORKSPACE_PORT=") != std::string::npos);
    CHECK(current->environment_id == recorded_text("current_compose.one.json", "/environmentId"));
    CHECK(current->project_id == recorded_text("current_compose.one.json", "/environment/projectId"));  // nested
    CHECK(current->server_id.empty());                                                                  // null
    CHECK(current->compose_path == "./docker-compose.yml");
    const auto legacy = f.client.find_compose("Lc3Ws5Gm1Hk7Qp2Xr9Tb4");
    REQUIRE(legacy);
    CHECK(legacy->environment_id.empty());
    CHECK(legacy->project_id == "Lp1Dv7Wk3Qs9Xa2Mb5Nc8");
    CHECK(legacy->server_id == "Ls8Rv3Mt6Qa1Wn5Xk2Zb7");
    CHECK(legacy->compose_status == "running");
}

TEST_CASE("environment.byProjectId lists environments (current layout only)") {
    ClientFixture f;
    f.current();
    f.http.respond(200, sample("current_environment.byProjectId.json"));
    const auto environments = f.client.environments("pV4qK9sT2mX7wB1nR8cLd");
    CHECK(f.http.last().url ==
          "https://dokploy.example.com/api/environment.byProjectId?projectId=pV4qK9sT2mX7wB1nR8cLd");
    REQUIRE(environments.size() == 2);
    CHECK(environments[0].compose.at(0).app_name ==
          recorded_text("current_environment.byProjectId.json", "/0/compose/0/appName"));
    CHECK(environments[1].name == recorded_text("current_environment.byProjectId.json", "/1/name"));

    ClientFixture old;
    old.legacy();
    CHECK_THROWS_WITH(old.client.environments("p"), Catch::Contains("needs Dokploy v0.25.0 or newer"));
}

TEST_CASE("environment.byProjectId items without a top-level projectId (Dokploy v0.28.3+)") {
    // As recorded from v0.30.2: the project only nested, or not at all.
    ClientFixture f;
    f.current();
    f.http.respond(200, R"([{"name":"dev","description":"","environmentId":"e1","isDefault":false,"libsql":[],
                            "compose":[],"project":{"projectId":"p-nested","name":"devpod-workspaces"}},
                           {"name":"production","environmentId":"e0","isDefault":true,"compose":[]}])");
    const auto environments = f.client.environments("p-asked");
    REQUIRE(environments.size() == 2);
    CHECK(environments[0].project_id == "p-nested");
    CHECK(environments[1].project_id == "p-asked");
    CHECK(environments[1].is_default);
}

TEST_CASE("deployment.allByCompose decodes both layouts, newest first") {
    ClientFixture f;
    f.http.respond(200, sample("current_deployment.allByCompose_error.json"))
        .respond(200, sample("legacy_deployment.allByCompose.json"));
    const auto current = f.client.deployments("cMp8Ws1Al9Qx3Rt6Yb2Nz");
    CHECK(f.http.last().url ==
          "https://dokploy.example.com/api/deployment.allByCompose?composeId=cMp8Ws1Al9Qx3Rt6Yb2Nz");
    REQUIRE(current.size() == 2);
    CHECK(current[0].status == "error");
    CHECK(current[0].title == recorded_text("current_deployment.allByCompose_error.json", "/0/title"));
    CHECK(current[0].error_message.empty());  // v0.30 leaves errorMessage null: Docker's text is in the log
    CHECK(current[0].finished_at == recorded_text("current_deployment.allByCompose_error.json", "/0/finishedAt"));
    CHECK(current[1].status == "done");
    const auto legacy = f.client.deployments("Lc3Ws5Gm1Hk7Qp2Xr9Tb4");
    REQUIRE(legacy.size() == 2);
    CHECK(legacy[0].deployment_id == "Ld7Pl3Qx9Wm5Kb2Nv8Zr1");  // re-sorted: newest first
    CHECK(legacy[0].error_message.empty());
}

TEST_CASE("server.all and server.one decode servers") {
    ClientFixture f;
    f.http.respond(200, sample("current_server.all.json"))
        .respond(200, sample("legacy_server.all.json"))
        .respond(404, "{\"message\":\"Server not found\",\"code\":\"NOT_FOUND\"}");
    const auto current = f.client.servers();
    REQUIRE(current.size() == 1);
    CHECK(current[0].ip_address == "192.0.2.10");
    CHECK(current[0].server_id == recorded_text("current_server.all.json", "/0/serverId"));
    CHECK(f.client.servers().at(0).name == "builder-1");
    CHECK_FALSE(f.client.find_server("gone"));
    CHECK(f.http.last().url == "https://dokploy.example.com/api/server.one?serverId=gone");
}

TEST_CASE("project.all is read once until a mutation") {
    ClientFixture f;
    f.http.respond(200, "[]").respond(200, "{\"projectId\":\"p1\"}").respond(200, "[]");
    (void)f.client.projects();
    (void)f.client.projects();
    CHECK(f.http.requests().size() == 1);
    f.client.remove_project("p1");
    (void)f.client.projects();
    CHECK(f.http.requests().size() == 3);
}

TEST_CASE("an assumed layout saves the version request and is relearned when it proves wrong") {
    SECTION("assumed: no request") {
        ClientFixture f;
        f.client.assume_layout(ApiLayout::legacy);
        CHECK(f.client.layout() == ApiLayout::legacy);
        CHECK(f.client.known_layout() == ApiLayout::legacy);
        CHECK(f.http.requests().empty());
    }
    SECTION("project.all's shape overrides it") {
        ClientFixture f;
        f.client.assume_layout(ApiLayout::legacy);
        f.http.respond(200, sample("current_project.all.json"));
        (void)f.client.projects();
        CHECK(f.client.layout() == ApiLayout::environments);
    }
    SECTION("compose.create refused with 400 is sent again once with the layout learned anew") {
        ClientFixture f;
        f.client.assume_layout(ApiLayout::legacy);
        f.http.respond(400, sample("error_400_validation.json"))
            .respond(200, "\"v0.30.2\"")
            .respond(200, sample("current_compose.create.json"));
        dokploy_provider::dokploy::NewCompose spec;
        spec.name = "devpod-ws";
        spec.project_id = "p1";
        spec.environment_id = "e1";
        const auto compose = f.client.create_compose(spec);
        CHECK_FALSE(compose.compose_id.empty());
        REQUIRE(f.http.requests().size() == 3);
        CHECK(f.http.requests()[0].body.find("\"projectId\":\"p1\"") != std::string::npos);
        CHECK(f.http.requests()[2].body.find("\"environmentId\":\"e1\"") != std::string::npos);
        CHECK(f.client.known_layout() == ApiLayout::environments);
    }
    SECTION("a 400 with the layout confirmed is Dokploy's answer") {
        ClientFixture f;
        f.client.assume_layout(ApiLayout::environments);
        f.http.respond(400, sample("error_400_validation.json")).respond(200, "\"v0.30.2\"");
        dokploy_provider::dokploy::NewCompose spec;
        spec.name = "devpod-ws";
        spec.environment_id = "e1";
        CHECK_THROWS_AS(f.client.create_compose(spec), ApiError);
        CHECK(f.http.requests().size() == 2);
    }
}
