// SPDX-License-Identifier: MIT
#include "pkg/http/retry.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "pkg/core/numbers.hpp"

namespace dokploy_provider::http {
namespace {

using std::chrono::system_clock;

// Longest wait a Retry-After may ask for before the max_delay cap: one day.
constexpr long long k_max_retry_after_seconds = 86'400;
// Less time than this left for an attempt: no retry.
constexpr core::Millis k_min_attempt_time{250};

std::optional<unsigned> month_number(std::string_view name) {
    static constexpr std::array<std::string_view, 12> k_months = {"jan", "feb", "mar", "apr", "may", "jun",
                                                                  "jul", "aug", "sep", "oct", "nov", "dec"};
    if (name.size() != 3) {
        return std::nullopt;
    }
    std::string lower(name);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (std::size_t i = 0; i < k_months.size(); ++i) {
        if (k_months[i] == lower) {
            return static_cast<unsigned>(i + 1);
        }
    }
    return std::nullopt;
}

// "08:49:37" -> seconds since midnight.
std::optional<int> time_of_day(std::string_view text) {
    if (text.size() != 8 || text[2] != ':' || text[5] != ':') {
        return std::nullopt;
    }
    const auto h = core::parse_int(text.substr(0, 2));
    const auto m = core::parse_int(text.substr(3, 2));
    const auto s = core::parse_int(text.substr(6, 2));
    if (!h || !m || !s || *h > 23 || *m > 59 || *s > 60) {
        return std::nullopt;
    }
    return *h * 3600 + *m * 60 + *s;
}

// Any of the three HTTP-date forms (RFC 9110 5.6.7). The weekday and "GMT" are ignored; in all three forms
// the first number is the day and the second the year.
std::optional<system_clock::time_point> parse_http_date(std::string_view text) {
    std::vector<std::string_view> tokens;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= text.size(); ++i) {
        if (i == text.size() || text[i] == ' ' || text[i] == ',' || text[i] == '-') {
            if (i > start) {
                tokens.push_back(text.substr(start, i - start));
            }
            start = i + 1;
        }
    }
    std::optional<unsigned> month;
    std::optional<int> seconds;
    std::vector<int> numbers;
    for (const auto token : tokens) {
        if (auto value = core::parse_int(token)) {
            numbers.push_back(*value);
        } else if (auto m = month_number(token)) {
            month = m;
        } else if (auto t = time_of_day(token)) {
            seconds = t;
        }
    }
    if (!month || !seconds || numbers.size() != 2) {
        return std::nullopt;
    }
    int year = numbers[1];
    if (year < 100) {
        year += year < 70 ? 2000 : 1900;  // RFC 850 two-digit years
    }
    const std::chrono::year_month_day date{std::chrono::year{year}, std::chrono::month{*month},
                                           std::chrono::day{static_cast<unsigned>(numbers[0])}};
    if (!date.ok() || numbers[0] < 1) {
        return std::nullopt;
    }
    return std::chrono::sys_days{date} + std::chrono::seconds{*seconds};
}

std::string describe_delay(core::Millis delay) {
    std::array<char, 32> buffer{};
    if (delay.count() < 1000) {
        (void)std::snprintf(buffer.data(), buffer.size(), "%lldms", static_cast<long long>(delay.count()));
    } else {
        (void)std::snprintf(buffer.data(), buffer.size(), "%.1fs", static_cast<double>(delay.count()) / 1000.0);
    }
    return buffer.data();
}

// Rethrows the last transport error of a retried exchange; after several attempts as a SendError that says
// how many (keeping retryable() and delivery()).
[[noreturn]] void give_up(const core::TransportError& error, int attempts) {
    if (attempts <= 1) {
        throw;
    }
    const auto* send_error = dynamic_cast<const SendError*>(&error);
    throw SendError(std::string(error.what()) + " after " + std::to_string(attempts) + " attempts", error.retryable(),
                    send_error != nullptr ? send_error->delivery() : Delivery::maybe_sent);
}

}  // namespace

bool is_retryable_status(long status) {
    return status == 429 || status == 502 || status == 503 || status == 504;
}

bool may_retry_status(long status, Idempotency idempotency) {
    if (idempotency == Idempotency::safe) {
        return is_retryable_status(status);
    }
    // 429 and 503 are answers that refuse the work; a 502/504 from a proxy may hide a processed request.
    return status == 429 || status == 503;
}

bool may_retry_transport(const core::TransportError& error, Idempotency idempotency) {
    if (!error.retryable()) {
        return false;
    }
    if (idempotency == Idempotency::safe) {
        return true;
    }
    const auto* send_error = dynamic_cast<const SendError*>(&error);
    return send_error != nullptr && send_error->delivery() == Delivery::not_sent;
}

core::Millis backoff_delay(const RetryPolicy& policy, int retry, double unit_random) {
    const auto max_delay = std::max<long long>(0, policy.max_delay.count());
    auto cap = std::max<long long>(0, policy.base_delay.count());
    for (int i = 1; i < retry && cap < max_delay; ++i) {
        cap *= 2;
    }
    cap = std::min(cap, max_delay);
    const double unit = std::clamp(unit_random, 0.0, 1.0);
    return core::Millis(static_cast<long long>(unit * static_cast<double>(cap)));
}

std::optional<core::Millis> parse_retry_after(std::string_view value, system_clock::time_point now) {
    while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front())) != 0) {
        value.remove_prefix(1);
    }
    while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back())) != 0) {
        value.remove_suffix(1);
    }
    if (value.empty()) {
        return std::nullopt;
    }
    if (std::all_of(value.begin(), value.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
        long long seconds = k_max_retry_after_seconds;
        if (value.size() <= 6) {
            std::from_chars(value.data(), value.data() + value.size(), seconds);
        }
        return core::Millis(std::min(seconds, k_max_retry_after_seconds) * 1000);
    }
    const auto date = parse_http_date(value);
    if (!date) {
        return std::nullopt;
    }
    if (*date <= now) {
        return core::Millis(0);
    }
    const auto delay = std::chrono::duration_cast<core::Millis>(*date - now);
    return std::min(delay, core::Millis(k_max_retry_after_seconds * 1000));
}

core::Millis retry_delay(const RetryPolicy& policy, int retry, double unit_random,
                         std::optional<core::Millis> retry_after) {
    if (retry_after) {
        return std::clamp(*retry_after, core::Millis(0), std::max(policy.max_delay, core::Millis(0)));
    }
    return backoff_delay(policy, retry, unit_random);
}

RetryOutcome send_with_retry(HttpClient& client, Sleeper& sleeper, const RetryPolicy& policy, const Request& request,
                             Idempotency idempotency, const RetryLabels& labels, const UnitRandom& random,
                             std::optional<std::chrono::steady_clock::time_point> deadline) {
    const int max_attempts = std::max(1, policy.max_attempts);
    auto end = sleeper.now() + policy.max_total;
    if (deadline && *deadline < end) {
        end = *deadline;
    }
    const auto left = [&] { return std::chrono::duration_cast<core::Millis>(end - sleeper.now()); };
    // A retry needs its wait and some time for the attempt itself.
    const auto within_budget = [&](core::Millis delay) { return delay + k_min_attempt_time <= left(); };
    if (left() <= core::Millis(0)) {
        throw core::TransportError(std::string(labels.operation) + " was not sent: the time for this subcommand's "
                                   "requests ran out", false);
    }
    Request attempt_request = request;
    for (int attempt = 1;; ++attempt) {
        core::Millis delay{0};
        attempt_request.timeout = request.timeout ? std::min(*request.timeout, left()) : left();
        try {
            auto response = client.send(attempt_request);
            if (response.ok() || attempt >= max_attempts || !may_retry_status(response.status, idempotency)) {
                return {std::move(response), attempt};
            }
            std::optional<core::Millis> retry_after;
            if (const auto header = response.header("retry-after")) {
                retry_after = parse_retry_after(*header, system_clock::now());
            }
            delay = retry_delay(policy, attempt, random(), retry_after);
            if (!within_budget(delay)) {
                spdlog::debug("{}: no retry after {}: the retry budget of {}ms is spent", labels.operation,
                              response.status, policy.max_total.count());
                return {std::move(response), attempt};
            }
            spdlog::info("{} answered {} on {}; retrying in {} (attempt {}/{})", labels.service, response.status,
                         labels.operation, describe_delay(delay), attempt + 1, max_attempts);
        } catch (const core::TransportError& error) {
            if (attempt >= max_attempts || !may_retry_transport(error, idempotency)) {
                give_up(error, attempt);
            }
            delay = retry_delay(policy, attempt, random(), std::nullopt);
            if (!within_budget(delay)) {
                give_up(error, attempt);
            }
            spdlog::info("{} on {} failed: {}; retrying in {} (attempt {}/{})", labels.service, labels.operation,
                         error.what(), describe_delay(delay), attempt + 1, max_attempts);
        }
        sleeper.sleep(delay);
    }
}

UnitRandom make_unit_random() {
    struct State {
        std::mutex mutex;
        std::mt19937_64 engine{std::random_device{}()};
        std::uniform_real_distribution<double> distribution{0.0, 1.0};
    };
    auto state = std::make_shared<State>();
    return [state] {
        const std::scoped_lock lock(state->mutex);
        return state->distribution(state->engine);
    };
}

}  // namespace dokploy_provider::http
