// SPDX-License-Identifier: MIT
// Retries through the client: reads are always retried, mutations only when provably not processed.
#include "tests/support/catch.hpp"
#include "tests/unit/dokploy/client_fixture.hpp"

using dokploy_provider::core::Millis;
using dokploy_provider::core::TransportError;
using dokploy_provider::dokploy::NewCompose;
using dokploy_provider::http::Delivery;
using dokploy_provider::testing::ClientFixture;
using dokploy_provider::testing::recorded_text;
using dokploy_provider::testing::sample;

namespace {

NewCompose spec() {
    NewCompose result;
    result.name = "ws-delta";
    result.environment_id = "eNv1Pr0dQ7xK2mL9sT4bW";
    return result;
}

}  // namespace

TEST_CASE("reads are retried on resets, timeouts and 429/502/503/504") {
    ClientFixture f;
    f.http.fail("connection to dokploy.example.com:443 failed (reset)", true, Delivery::maybe_sent)
        .respond(502, "")
        .respond(504, "")
        .respond(429, "", {{"retry-after", "1"}})
        .respond(200, sample("current_project.all.json"));
    CHECK(f.client.projects().size() == 1);
    CHECK(f.http.requests().size() == 5);
    REQUIRE(f.sleeper.sleeps().size() == 4);
    CHECK(f.sleeper.sleeps()[3] == Millis(1'000));  // Retry-After
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(f.sleeper.sleeps()[i] <= Millis(250LL << i));  // full jitter under the exponential cap
    }
}

TEST_CASE("reads stop after max_attempts and report the last failure") {
    ClientFixture f;
    for (int i = 0; i < 5; ++i) {
        f.http.fail("request to dokploy.example.com:443 timed out", true, Delivery::maybe_sent);
    }
    CHECK_THROWS_WITH(f.client.servers(), "request to dokploy.example.com:443 timed out after 5 attempts");
    CHECK(f.http.requests().size() == 5);
    CHECK(f.sleeper.sleeps().size() == 4);
    CHECK(f.sleeper.total_slept() <= Millis(250 + 500 + 1'000 + 2'000));
}

TEST_CASE("reads stop when the time budget is spent") {
    ClientFixture f;
    f.http.take_time(f.sleeper, Millis(25'000)).otherwise([](const dokploy_provider::http::Request&) {
        return dokploy_provider::http::Response{503, "", {}};
    });
    CHECK_THROWS_WITH(f.client.servers(), Catch::Contains("HTTP 503"));
    CHECK(f.http.requests().size() == 3);  // 25s + 25s + 25s with small waits: the next would pass 60s
}

TEST_CASE("create_compose that got a reset after sending is not retried") {
    ClientFixture f;
    f.current();
    f.http.fail("connection to dokploy.example.com:443 failed (Connection reset by peer)", true, Delivery::maybe_sent)
        .respond(200, sample("current_compose.create.json"));
    CHECK_THROWS_AS(f.client.create_compose(spec()), TransportError);
    CHECK(f.http.requests().size() == 2);  // version + one compose.create
    CHECK(f.http.pending() == 1);
    CHECK(f.sleeper.sleeps().empty());
}

TEST_CASE("create_compose that got 503 or a refused connection is retried") {
    ClientFixture f;
    f.current();
    f.http.respond(503, R"({"message":"Service Unavailable","code":"SERVICE_UNAVAILABLE"})")
        .fail("couldn't connect to dokploy.example.com:443", true, Delivery::not_sent)
        .respond(200, sample("current_compose.create.json"));
    CHECK(f.client.create_compose(spec()).compose_id == recorded_text("current_compose.create.json", "/composeId"));
    CHECK(f.http.requests().size() == 4);
    CHECK(f.sleeper.sleeps().size() == 2);
}

TEST_CASE("deploy is never repeated once it may have reached Dokploy") {
    ClientFixture f;
    SECTION("timeout after sending") {
        f.http.fail("request to dokploy.example.com:443 timed out", true, Delivery::maybe_sent);
        CHECK_THROWS_AS(f.client.deploy_compose("c1", "t"), TransportError);
    }
    SECTION("502 from a proxy") {
        f.http.respond(502, "");
        CHECK_THROWS_WITH(f.client.deploy_compose("c1", "t"), "compose.deploy failed: HTTP 502 with an empty body");
    }
    SECTION("504 from a proxy") {
        f.http.respond(504, "");
        CHECK_THROWS_AS(f.client.deploy_compose("c1", "t"), dokploy_provider::core::ApiError);
    }
    CHECK(f.http.requests().size() == 1);
}

TEST_CASE("update, start, stop and delete are retried on 429 and 503 only") {
    ClientFixture f;
    f.http.respond(429, "")
        .respond(200, R"({"composeId":"c1"})")  // update
        .respond(503, "")
        .respond(200, "true")  // start
        .respond(500, "")      // stop: not retried
        .respond(200, "{}");
    f.client.update_compose("c1", {});
    f.client.start_compose("c1");
    CHECK_THROWS_AS(f.client.stop_compose("c1"), dokploy_provider::core::ApiError);
    f.client.delete_compose("c1", false);
    CHECK(f.http.requests().size() == 6);
}

TEST_CASE("non-retryable transport failures are reported at once") {
    ClientFixture f;
    f.http.fail("couldn't resolve host dokploy.example.com: check DOKPLOY_SERVER_URL", false, Delivery::not_sent);
    CHECK_THROWS_WITH(f.client.projects(), "couldn't resolve host dokploy.example.com: check DOKPLOY_SERVER_URL");
    CHECK(f.http.requests().size() == 1);
}

TEST_CASE("limit_api_time bounds all requests together, not the time between them") {
    ClientFixture f;
    f.http.take_time(f.sleeper, dokploy_provider::core::Millis(1'500))
        .otherwise([](const dokploy_provider::http::Request&) {
            return dokploy_provider::http::Response{200, "[]", {}};
        });
    f.client.limit_api_time(dokploy_provider::core::Millis(4'000));
    (void)f.client.servers();                                   // 1.5s of 4s
    f.sleeper.advance(dokploy_provider::core::Millis(60'000));  // an SSH probe, a wait: not API work
    (void)f.client.servers();                                   // 3s of 4s
    CHECK(f.http.last().timeout == dokploy_provider::core::Millis(2'500));
    (void)f.client.servers();  // the last 1s, and 0.5s beyond it
    CHECK(f.http.last().timeout == dokploy_provider::core::Millis(1'000));
    CHECK_THROWS_WITH(f.client.servers(), Catch::Contains("server.all was not sent: the time for this subcommand's "
                                                          "requests ran out"));
    CHECK(f.http.requests().size() == 3);
}
