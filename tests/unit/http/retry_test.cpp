// SPDX-License-Identifier: MIT
#include "pkg/http/retry.hpp"

#include <chrono>

#include "tests/support/catch.hpp"
#include "tests/support/fake_http_client.hpp"
#include "tests/unit/http/log_capture.hpp"

namespace http = dokploy_provider::http;
using dokploy_provider::core::Millis;
using dokploy_provider::core::TransportError;
using dokploy_provider::testing::FakeHttpClient;
using dokploy_provider::testing::FakeSleeper;
using dokploy_provider::testing::LogCapture;
using http::Delivery;
using http::Idempotency;
using http::SendError;

namespace {

const http::Request k_get{"GET", "https://dokploy.test/api/compose.one?composeId=c1", {}, {}};
const http::RetryLabels k_labels{"Dokploy", "compose.one"};
const http::UnitRandom k_half = [] { return 0.5; };

std::chrono::system_clock::time_point at(int y, unsigned m, unsigned d, int hh, int mm, int ss) {
    return std::chrono::sys_days{std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d}} +
           std::chrono::hours{hh} + std::chrono::minutes{mm} + std::chrono::seconds{ss};
}

}  // namespace

TEST_CASE("retryable statuses are 429, 502, 503 and 504") {
    for (const long status : {429L, 502L, 503L, 504L}) {
        CHECK(http::is_retryable_status(status));
    }
    for (const long status : {200L, 301L, 400L, 401L, 403L, 404L, 409L, 500L, 501L}) {
        CHECK_FALSE(http::is_retryable_status(status));
    }
}

TEST_CASE("the idempotency rule: mutations are retried only when the request was provably not processed") {
    SECTION("statuses") {
        CHECK(http::may_retry_status(502, Idempotency::safe));
        CHECK(http::may_retry_status(504, Idempotency::safe));
        CHECK(http::may_retry_status(429, Idempotency::only_if_not_delivered));
        CHECK(http::may_retry_status(503, Idempotency::only_if_not_delivered));
        CHECK_FALSE(http::may_retry_status(502, Idempotency::only_if_not_delivered));
        CHECK_FALSE(http::may_retry_status(504, Idempotency::only_if_not_delivered));
        CHECK_FALSE(http::may_retry_status(500, Idempotency::safe));
    }
    SECTION("transport failures") {
        const SendError refused("couldn't connect", true, Delivery::not_sent);
        const SendError reset("connection reset", true, Delivery::maybe_sent);
        const SendError dns("couldn't resolve host", false, Delivery::not_sent);
        const TransportError plain("something", true);
        CHECK(http::may_retry_transport(refused, Idempotency::safe));
        CHECK(http::may_retry_transport(reset, Idempotency::safe));
        CHECK(http::may_retry_transport(plain, Idempotency::safe));
        CHECK_FALSE(http::may_retry_transport(dns, Idempotency::safe));
        CHECK(http::may_retry_transport(refused, Idempotency::only_if_not_delivered));
        CHECK_FALSE(http::may_retry_transport(reset, Idempotency::only_if_not_delivered));
        CHECK_FALSE(http::may_retry_transport(plain, Idempotency::only_if_not_delivered));
        CHECK_FALSE(http::may_retry_transport(dns, Idempotency::only_if_not_delivered));
    }
}

TEST_CASE("backoff grows exponentially with full jitter and stays under max_delay") {
    const http::RetryPolicy policy{5, Millis(250), Millis(5'000), Millis(60'000)};
    CHECK(http::backoff_delay(policy, 1, 0.0) == Millis(0));
    CHECK(http::backoff_delay(policy, 1, 1.0) == Millis(250));
    CHECK(http::backoff_delay(policy, 2, 1.0) == Millis(500));
    CHECK(http::backoff_delay(policy, 3, 0.5) == Millis(500));
    CHECK(http::backoff_delay(policy, 5, 1.0) == Millis(4'000));
    CHECK(http::backoff_delay(policy, 6, 1.0) == Millis(5'000));
    CHECK(http::backoff_delay(policy, 60, 1.0) == Millis(5'000));  // no overflow
    CHECK(http::backoff_delay(policy, 2, 7.0) == Millis(500));     // clamped random
    for (int retry = 1; retry < 10; ++retry) {
        const auto delay = http::backoff_delay(policy, retry, 0.999);
        CHECK(delay >= Millis(0));
        CHECK(delay <= policy.max_delay);
    }
}

TEST_CASE("Retry-After is read as seconds or as an HTTP date") {
    const auto now = at(2015, 10, 21, 7, 28, 0);
    CHECK(http::parse_retry_after("120", now) == Millis(120'000));
    CHECK(http::parse_retry_after(" 0 ", now) == Millis(0));
    CHECK(http::parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now) == Millis(30'000));
    CHECK(http::parse_retry_after("Wednesday, 21-Oct-15 07:29:00 GMT", now) == Millis(60'000));
    CHECK(http::parse_retry_after("Wed Oct 21 07:28:05 2015", now) == Millis(5'000));
    CHECK(http::parse_retry_after("Tue, 20 Oct 2015 07:28:00 GMT", now) == Millis(0));  // in the past
    CHECK(http::parse_retry_after("99999999999999999999", now) == Millis(86'400'000));
    CHECK_FALSE(http::parse_retry_after("", now));
    CHECK_FALSE(http::parse_retry_after("-5", now));
    CHECK_FALSE(http::parse_retry_after("soon", now));
    CHECK_FALSE(http::parse_retry_after("Wed, 32 Oct 2015 07:28:00 GMT", now));
    CHECK_FALSE(http::parse_retry_after("Wed, 21 Foo 2015 07:28:00 GMT", now));
}

TEST_CASE("retry_delay honours Retry-After up to max_delay") {
    const http::RetryPolicy policy{5, Millis(250), Millis(5'000), Millis(60'000)};
    CHECK(http::retry_delay(policy, 1, 0.5, Millis(2'000)) == Millis(2'000));
    CHECK(http::retry_delay(policy, 1, 0.5, Millis(120'000)) == Millis(5'000));
    CHECK(http::retry_delay(policy, 1, 0.5, std::nullopt) == Millis(125));
}

TEST_CASE("send_with_retry repeats reads until success, sleeping between attempts") {
    FakeHttpClient client;
    FakeSleeper sleeper;
    client.respond(503, "").respond(502, "").fail("reset", true, Delivery::maybe_sent).respond(200, "ok");
    const LogCapture log(spdlog::level::info);
    const auto outcome = http::send_with_retry(client, sleeper, {}, k_get, Idempotency::safe, k_labels, k_half);
    CHECK(outcome.response.status == 200);
    CHECK(outcome.attempts == 4);
    CHECK(client.requests().size() == 4);
    CHECK(sleeper.sleeps() == std::vector<Millis>{Millis(125), Millis(250), Millis(500)});
    CHECK(log.text().find("Dokploy answered 503 on compose.one; retrying in 125ms (attempt 2/5)") != std::string::npos);
    CHECK(log.text().find("retrying in 500ms (attempt 4/5)") != std::string::npos);
}

TEST_CASE("send_with_retry stops after max_attempts and returns the last answer") {
    FakeHttpClient client;
    FakeSleeper sleeper;
    client.otherwise([](const http::Request&) { return http::Response{503, "busy", {}}; });
    const http::RetryPolicy policy{3, Millis(100), Millis(1'000), Millis(60'000)};
    const auto outcome = http::send_with_retry(client, sleeper, policy, k_get, Idempotency::safe, k_labels, k_half);
    CHECK(outcome.response.status == 503);
    CHECK(outcome.attempts == 3);
    CHECK(sleeper.sleeps().size() == 2);
}

TEST_CASE("send_with_retry rethrows the last transport error when attempts run out") {
    FakeHttpClient client;
    FakeSleeper sleeper;
    client.fail("couldn't connect to dokploy.test:443", true, Delivery::not_sent)
        .fail("couldn't connect to dokploy.test:443 (again)", true, Delivery::not_sent);
    const http::RetryPolicy policy{2, Millis(100), Millis(1'000), Millis(60'000)};
    CHECK_THROWS_MATCHES(http::send_with_retry(client, sleeper, policy, k_get, Idempotency::safe, k_labels, k_half),
                         SendError, Catch::Matchers::Predicate<SendError>([](const SendError& e) {
                             return std::string(e.what()) ==
                                        "couldn't connect to dokploy.test:443 (again) after 2 attempts" &&
                                    e.retryable() && e.delivery() == Delivery::not_sent;
                         }));
    CHECK(client.requests().size() == 2);
}

TEST_CASE("send_with_retry does not retry non-retryable failures") {
    FakeHttpClient client;
    FakeSleeper sleeper;
    client.fail("couldn't resolve host dokploy.test", false, Delivery::not_sent);
    CHECK_THROWS_AS(http::send_with_retry(client, sleeper, {}, k_get, Idempotency::safe, k_labels, k_half), SendError);
    client.respond(500, "{}");
    CHECK(http::send_with_retry(client, sleeper, {}, k_get, Idempotency::safe, k_labels, k_half).attempts == 1);
    CHECK(sleeper.sleeps().empty());
}

TEST_CASE("send_with_retry applies the idempotency rule to mutations") {
    const http::Request post{"POST", "https://dokploy.test/api/compose.create", {}, "{}"};
    FakeHttpClient client;
    FakeSleeper sleeper;
    SECTION("a reset after sending is not retried") {
        client.fail("connection reset", true, Delivery::maybe_sent).respond(200, "{}");
        CHECK_THROWS_AS(
            http::send_with_retry(client, sleeper, {}, post, Idempotency::only_if_not_delivered, k_labels, k_half),
            SendError);
        CHECK(client.requests().size() == 1);
    }
    SECTION("a refused connection and a 503 are retried") {
        client.fail("couldn't connect", true, Delivery::not_sent).respond(503, "").respond(200, "{}");
        const auto outcome =
            http::send_with_retry(client, sleeper, {}, post, Idempotency::only_if_not_delivered, k_labels, k_half);
        CHECK(outcome.response.status == 200);
        CHECK(outcome.attempts == 3);
    }
    SECTION("a 502 or 504 is not retried") {
        client.respond(504, "").respond(200, "{}");
        const auto outcome =
            http::send_with_retry(client, sleeper, {}, post, Idempotency::only_if_not_delivered, k_labels, k_half);
        CHECK(outcome.response.status == 504);
        CHECK(client.pending() == 1);
    }
}

TEST_CASE("send_with_retry honours Retry-After, capped by max_delay") {
    FakeHttpClient client;
    FakeSleeper sleeper;
    client.respond(429, "", {{"retry-after", "3"}}).respond(503, "", {{"retry-after", "600"}}).respond(200, "");
    const http::RetryPolicy policy{5, Millis(250), Millis(5'000), Millis(60'000)};
    const auto outcome = http::send_with_retry(client, sleeper, policy, k_get, Idempotency::safe, k_labels, k_half);
    CHECK(outcome.response.status == 200);
    CHECK(sleeper.sleeps() == std::vector<Millis>{Millis(3'000), Millis(5'000)});
}

TEST_CASE("send_with_retry gives up when the next wait would pass max_total") {
    FakeHttpClient client;
    FakeSleeper sleeper;
    client.take_time(sleeper, Millis(4'000)).otherwise([](const http::Request&) {
        return http::Response{503, "", {{"retry-after", "2"}}};
    });
    const http::RetryPolicy policy{10, Millis(250), Millis(5'000), Millis(10'000)};
    const auto outcome = http::send_with_retry(client, sleeper, policy, k_get, Idempotency::safe, k_labels, k_half);
    // 4s + 2s wait + 4s = 10s spent; another 2s wait would pass 10s.
    CHECK(outcome.attempts == 2);
    CHECK(sleeper.sleeps() == std::vector<Millis>{Millis(2'000)});
}

TEST_CASE("each attempt gets only what is left of max_total as its timeout") {
    FakeHttpClient client;
    FakeSleeper sleeper;
    client.take_time(sleeper, Millis(3'000)).otherwise([](const http::Request&) {
        return http::Response{503, "", {{"retry-after", "1"}}};
    });
    const http::RetryPolicy policy{10, Millis(250), Millis(5'000), Millis(10'000)};
    const auto outcome = http::send_with_retry(client, sleeper, policy, k_get, Idempotency::safe, k_labels, k_half);
    // 3s + 1s wait + 3s + 1s wait = 8s: the third attempt gets the last 2s, and then nothing is left.
    REQUIRE(client.requests().size() == 3);
    CHECK(client.requests()[0].timeout == Millis(10'000));
    CHECK(client.requests()[1].timeout == Millis(6'000));
    CHECK(client.requests()[2].timeout == Millis(2'000));
    CHECK(outcome.attempts == 3);
}

TEST_CASE("a deadline ends a call before max_total, and a call with no time left is not sent") {
    FakeHttpClient client;
    FakeSleeper sleeper;
    client.take_time(sleeper, Millis(2'000)).otherwise([](const http::Request&) { return http::Response{503, "", {}}; });
    const http::RetryPolicy policy{10, Millis(250), Millis(5'000), Millis(60'000)};
    const auto deadline = sleeper.now() + Millis(3'000);
    const auto outcome =
        http::send_with_retry(client, sleeper, policy, k_get, Idempotency::safe, k_labels, k_half, deadline);
    CHECK(client.requests().front().timeout == Millis(3'000));
    CHECK(outcome.response.status == 503);
    CHECK(sleeper.now() <= deadline + Millis(2'000));  // the last attempt never outlives its own timeout
    const auto sent = client.requests().size();
    sleeper.advance(Millis(5'000));
    CHECK_THROWS_WITH(
        http::send_with_retry(client, sleeper, policy, k_get, Idempotency::safe, k_labels, k_half, deadline),
        Catch::Contains("compose.one was not sent: the time for this subcommand's requests ran out"));
    CHECK(client.requests().size() == sent);
}

TEST_CASE("make_unit_random yields numbers from 0 up to but excluding 1") {
    const auto random = http::make_unit_random();
    for (int i = 0; i < 1000; ++i) {
        const auto value = random();
        CHECK(value >= 0.0);
        CHECK(value < 1.0);
    }
}
