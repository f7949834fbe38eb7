// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pkg/core/duration.hpp"
#include "pkg/core/errors.hpp"

namespace dokploy_provider::http {

using Header = std::pair<std::string, std::string>;

// One HTTP request. `url` is absolute (query string included); `body` is sent as is (empty: none).
struct Request {
    std::string method;  // "GET", "POST", ...
    std::string url;
    std::vector<Header> headers;
    std::string body;
    std::optional<core::Millis> timeout = std::nullopt;  // a shorter whole-request timeout, for this request
};

// One HTTP response of any status (non-2xx is not an error at this layer). Header names are lower-case.
struct Response {
    long status = 0;
    std::string body;
    std::vector<Header> headers;

    // The value of the first header called `name` (compared case-insensitively), if present.
    [[nodiscard]] std::optional<std::string> header(std::string_view name) const {
        const auto it = std::find_if(headers.begin(), headers.end(), [name](const Header& header) {
            return std::equal(header.first.begin(), header.first.end(), name.begin(), name.end(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
            });
        });
        return it == headers.end() ? std::nullopt : std::optional<std::string>(it->second);
    }
    // True for a 2xx status.
    [[nodiscard]] bool ok() const noexcept { return status >= 200 && status < 300; }
};

// Whether a failed request may have reached the server: decides if a non-idempotent call can be repeated.
enum class Delivery {
    not_sent,    // proven not delivered: DNS failure, connection refused, TLS handshake failure, nothing written
    maybe_sent,  // the server may have received (and processed) it: reset, timeout after sending, ...
};

// The transport failure HttpClient::send throws: a core::TransportError that also says whether the request
// may have been delivered. A plain core::TransportError is treated as Delivery::maybe_sent.
class SendError final : public core::TransportError {
public:
    SendError(const std::string& message, bool retryable, Delivery delivery)
        : core::TransportError(message, retryable), m_delivery(delivery) {}
    [[nodiscard]] Delivery delivery() const noexcept { return m_delivery; }

private:
    Delivery m_delivery;
};

// The HTTP seam. send() returns any response the server gave (including 3xx/4xx/5xx) and throws
// core::TransportError (normally SendError) when no complete response arrived.
class HttpClient {
public:
    virtual ~HttpClient() = default;
    virtual Response send(const Request& request) = 0;
};

}  // namespace dokploy_provider::http
