// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string_view>

#include "pkg/core/duration.hpp"
#include "pkg/core/errors.hpp"
#include "pkg/http/http_client.hpp"
#include "pkg/http/sleeper.hpp"

namespace dokploy_provider::http {

// How hard to retry one call: at most `max_attempts` attempts (the first included), exponential backoff
// from `base_delay` with full jitter, each wait at most `max_delay`, and the whole call, attempts and waits
// together, at most `max_total`: the last attempt gets only what is left of it as its timeout.
struct RetryPolicy {
    int max_attempts = 5;
    core::Millis base_delay{250};
    core::Millis max_delay{5'000};
    core::Millis max_total{60'000};
};

// Whether repeating a call is harmless. The one place that decides which failures may be retried:
// - safe: reads. Retried on any retryable transport failure and on 429, 502, 503, 504.
// - only_if_not_delivered: mutations (create, update, deploy, start, stop, delete). Retried only when the
//   failure proves Dokploy did not process the request: the request was never sent (connection refused,
//   Delivery::not_sent) or Dokploy answered 429 or 503. A reset, a timeout, a 502 or a 504 after sending
//   may hide a processed request (a second deploy, a duplicate compose), so they are not retried.
enum class Idempotency { safe, only_if_not_delivered };

// A uniformly distributed number in [0, 1).
using UnitRandom = std::function<double()>;

// True for the statuses that mean "try again later": 429, 502, 503, 504.
[[nodiscard]] bool is_retryable_status(long status);

// Whether a call of this idempotency may be repeated after the server answered `status`.
[[nodiscard]] bool may_retry_status(long status, Idempotency idempotency);

// Whether a call of this idempotency may be repeated after `error` (a core::TransportError, normally a
// SendError carrying its Delivery).
[[nodiscard]] bool may_retry_transport(const core::TransportError& error, Idempotency idempotency);

// The wait before retry number `retry` (1 = the wait after the first attempt): full jitter,
// unit_random * min(max_delay, base_delay * 2^(retry-1)). `unit_random` is clamped to [0, 1].
[[nodiscard]] core::Millis backoff_delay(const RetryPolicy& policy, int retry, double unit_random);

// Parses a Retry-After value: delay-seconds ("120") or an HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT",
// also the obsolete RFC 850 and asctime forms) relative to `now`; a date in the past gives zero.
// std::nullopt when the value is neither.
[[nodiscard]] std::optional<core::Millis> parse_retry_after(std::string_view value,
                                                            std::chrono::system_clock::time_point now);

// The wait before retry number `retry`: the server's Retry-After when given (capped by max_delay), else
// backoff_delay().
[[nodiscard]] core::Millis retry_delay(const RetryPolicy& policy, int retry, double unit_random,
                                       std::optional<core::Millis> retry_after);

// What a retried exchange ended with: the last response (2xx or not) and how many attempts it took.
struct RetryOutcome {
    Response response;
    int attempts = 1;
};

// Names used in retry log lines: "<service> answered 503 on <operation>; retrying in 1.2s (attempt 2/5)".
struct RetryLabels {
    std::string_view service;    // e.g. "Dokploy"
    std::string_view operation;  // e.g. "compose.one"
};

// Sends `request`, repeating it under `policy` while the idempotency rule allows. Each retry is logged
// at info. Returns the last response, which is non-2xx when retries ran out or were not allowed; rethrows
// the last transport error when no response came.
// `deadline`, when given, ends the call earlier than `max_total` (a bound on a whole subcommand's requests).
// Throws core::TransportError without sending when no time is left at all.
[[nodiscard]] RetryOutcome send_with_retry(HttpClient& client, Sleeper& sleeper, const RetryPolicy& policy,
                                           const Request& request, Idempotency idempotency, const RetryLabels& labels,
                                           const UnitRandom& random,
                                           std::optional<std::chrono::steady_clock::time_point> deadline = {});

// A UnitRandom backed by a std::mt19937_64 seeded from std::random_device.
[[nodiscard]] UnitRandom make_unit_random();

}  // namespace dokploy_provider::http
