// SPDX-License-Identifier: MIT
// Internal to pkg/dokploy: turns Dokploy's non-2xx answers and unexpected 2xx bodies into core::ApiError
// messages that say what failed and what to do about it.
#pragma once

#include <string_view>

#include "pkg/core/errors.hpp"
#include "pkg/http/http_client.hpp"
#include "pkg/http/url.hpp"

namespace dokploy_provider::dokploy::detail {

// What the client knew when a request failed.
struct FailureContext {
    int attempts = 1;                   // > 1 is mentioned in the message
    bool token_accepted_before = false;  // an earlier request of this process was authenticated
};

// The error for a non-2xx `response` to `procedure` on `base` (401: token rejected or rate limited, 403:
// permission, 404: wrong URL or too old a Dokploy, 3xx: use the redirect target, else Dokploy's code and
// message).
[[nodiscard]] core::ApiError status_error(std::string_view procedure, const http::Url& base,
                                          const http::Response& response, const FailureContext& context);

// "Dokploy answered <procedure> with an unexpected body: <problem>" carrying the 2xx status.
[[nodiscard]] core::ApiError unexpected_body(std::string_view procedure, long status, std::string_view problem);

// True when `response` is Dokploy saying the requested resource does not exist (404 NOT_FOUND with a JSON
// body naming it), as opposed to a missing route (a bare "Not found", tRPC's "No procedure on path") or a
// non-Dokploy 404 page.
[[nodiscard]] bool is_missing_resource(const http::Response& response);

}  // namespace dokploy_provider::dokploy::detail
