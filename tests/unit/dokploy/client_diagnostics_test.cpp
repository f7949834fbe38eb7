// SPDX-License-Identifier: MIT
// deployment.readLogs and docker.getContainersByAppNameMatch: what Dokploy tells about a service beyond its
// database record, and how an older Dokploy without these procedures is tolerated.
#include "tests/support/catch.hpp"
#include "tests/unit/dokploy/client_fixture.hpp"

using dokploy_provider::testing::ClientFixture;

TEST_CASE("deployment.readLogs asks for the tail of one deployment's log") {
    ClientFixture f;
    f.http.respond(200, R"("Initializing deployment\nError response from daemon: port is already allocated\n")");
    const auto log = f.client.deployment_log("dep-1", 40);
    CHECK(f.http.last().method == "GET");
    CHECK(f.http.last().url == "https://dokploy.example.com/api/deployment.readLogs?deploymentId=dep-1&tail=40");
    REQUIRE(log);
    CHECK(*log == "Initializing deployment\nError response from daemon: port is already allocated\n");
}

TEST_CASE("deployment.readLogs: a missing deployment or procedure is no log, other failures are errors") {
    ClientFixture f;
    f.http.respond(404, R"({"message":"Deployment not found","code":"NOT_FOUND"})")
        .respond(404, R"({"message":"Not found","code":"NOT_FOUND"})")
        .respond(200, R"({"unexpected":true})")
        .respond(500, R"({"message":"boom","code":"INTERNAL_SERVER_ERROR"})");
    CHECK_FALSE(f.client.deployment_log("gone", 10));
    CHECK_FALSE(f.client.deployment_log("dep-1", 10));  // a Dokploy without deployment.readLogs
    CHECK_THROWS_WITH(f.client.deployment_log("dep-1", 10),
                      Catch::Contains("deployment.readLogs with an unexpected body: expected the log as a string"));
    CHECK_THROWS_AS(f.client.deployment_log("dep-1", 10), dokploy_provider::core::ApiError);
}

TEST_CASE("docker.getContainersByAppNameMatch lists a compose service's containers with their state") {
    ClientFixture f;
    f.http
        .respond(200, R"([{"containerId":"3f2a","name":"compose-x-1a2b3c-workspace-1","state":"exited",
                           "status":"Exited (0) 2 minutes ago"}])")
        .respond(200, "[]")
        .respond(404, R"({"message":"Not found","code":"NOT_FOUND"})");
    const auto containers = f.client.containers("compose-x-1a2b3c", std::nullopt);
    CHECK(f.http.last().url == "https://dokploy.example.com/api/docker.getContainersByAppNameMatch?"
                               "appName=compose-x-1a2b3c&appType=docker-compose");
    REQUIRE(containers);
    REQUIRE(containers->size() == 1);
    CHECK(containers->at(0).state == "exited");
    CHECK(containers->at(0).name == "compose-x-1a2b3c-workspace-1");
    const auto remote = f.client.containers("compose-y", std::string("srv-1"));
    CHECK(f.http.last().url.ends_with("appName=compose-y&appType=docker-compose&serverId=srv-1"));
    REQUIRE(remote);
    CHECK(remote->empty());
    CHECK_FALSE(f.client.containers("compose-z", std::nullopt));
}
