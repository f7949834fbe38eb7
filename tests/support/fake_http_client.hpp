// SPDX-License-Identifier: MIT
// Test doubles for the HTTP and clock seams: a scripted HttpClient that records every request, and a
// Sleeper that records sleeps and advances a virtual clock instead of waiting.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "pkg/core/duration.hpp"
#include "pkg/http/http_client.hpp"
#include "pkg/http/sleeper.hpp"

namespace dokploy_provider::testing {

// Records sleeps; now() starts at an arbitrary point and moves only through sleep() and advance().
class FakeSleeper final : public http::Sleeper {
public:
    void sleep(core::Millis duration) override {
        m_sleeps.push_back(duration);
        m_now += duration;
    }
    [[nodiscard]] std::chrono::steady_clock::time_point now() override { return m_now; }

    // Moves the virtual clock without recording a sleep (time spent inside a request).
    void advance(core::Millis duration) { m_now += duration; }
    [[nodiscard]] const std::vector<core::Millis>& sleeps() const { return m_sleeps; }
    [[nodiscard]] core::Millis total_slept() const {
        core::Millis total{0};
        for (const auto sleep : m_sleeps) {
            total += sleep;
        }
        return total;
    }

private:
    std::vector<core::Millis> m_sleeps;
    std::chrono::steady_clock::time_point m_now{std::chrono::hours(1000)};
};

// Answers requests from a script, in order: queued responses and transport failures first, then the
// fallback handler if one is set; anything beyond that fails the test with std::logic_error.
class FakeHttpClient final : public http::HttpClient {
public:
    using Handler = std::function<http::Response(const http::Request&)>;

    // Queues the answer to the next request.
    FakeHttpClient& respond(long status, std::string body, std::vector<http::Header> headers = {}) {
        m_script.emplace_back(http::Response{status, std::move(body), std::move(headers)});
        return *this;
    }
    // Queues a transport failure for the next request (thrown as http::SendError).
    FakeHttpClient& fail(const std::string& message, bool retryable, http::Delivery delivery) {
        m_script.emplace_back(http::SendError(message, retryable, delivery));
        return *this;
    }
    // Answers every request that finds the script empty.
    FakeHttpClient& otherwise(Handler handler) {
        m_fallback = std::move(handler);
        return *this;
    }
    // Makes each request take `duration` on `clock` (to exercise time budgets).
    FakeHttpClient& take_time(FakeSleeper& clock, core::Millis duration) {
        m_clock = &clock;
        m_duration = duration;
        return *this;
    }

    http::Response send(const http::Request& request) override {
        m_requests.push_back(request);
        if (m_clock != nullptr) {
            m_clock->advance(m_duration);
        }
        if (m_script.empty()) {
            if (m_fallback) {
                return m_fallback(request);
            }
            throw std::logic_error("FakeHttpClient: unexpected request " + request.method + " " + request.url);
        }
        auto step = std::move(m_script.front());
        m_script.pop_front();
        if (auto* error = std::get_if<http::SendError>(&step)) {
            throw *error;
        }
        return std::get<http::Response>(std::move(step));
    }

    [[nodiscard]] const std::vector<http::Request>& requests() const { return m_requests; }
    [[nodiscard]] const http::Request& last() const { return m_requests.back(); }
    // Scripted steps not consumed yet.
    [[nodiscard]] std::size_t pending() const { return m_script.size(); }

private:
    std::deque<std::variant<http::Response, http::SendError>> m_script;
    std::vector<http::Request> m_requests;
    Handler m_fallback;
    FakeSleeper* m_clock = nullptr;
    core::Millis m_duration{0};
};

}  // namespace dokploy_provider::testing
