// SPDX-License-Identifier: MIT
#include "pkg/dokploy/errors.hpp"

#include <algorithm>
#include <cctype>
#include <string>

#include "pkg/dokploy/json_models.hpp"

namespace dokploy_provider::dokploy::detail {
namespace {

constexpr std::size_t k_max_snippet = 120;

std::string lower(std::string_view text) {
    std::string result(text);
    std::transform(result.begin(), result.end(), result.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return result;
}

// A short one-line sample of a non-JSON body, for the message.
std::string snippet(std::string_view body) {
    std::string result;
    for (const char c : body.substr(0, k_max_snippet)) {
        result += (c == '\r' || c == '\n' || c == '\t') ? ' ' : c;
    }
    const auto first = result.find_first_not_of(' ');
    const auto last = result.find_last_not_of(' ');
    result = first == std::string::npos ? std::string() : result.substr(first, last - first + 1);
    return body.size() > k_max_snippet ? result + "..." : result;
}

// "HTTP 502 with an empty body", "HTTP 500 INTERNAL_SERVER_ERROR: boom (issues: a: Required)".
std::string describe(const http::Response& response, const ErrorBody& error) {
    const auto status = "HTTP " + std::to_string(response.status);
    const auto body = std::string_view(response.body);
    if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        return status + " with an empty body";
    }
    if (!error.is_json_object) {
        const auto first = body.find_first_not_of(" \t\r\n");
        if (body[first] == '<') {
            return status + " with a non-JSON body (an HTML page, not Dokploy's API)";
        }
        return status + " with a non-JSON body: " + snippet(body.substr(first));
    }
    std::string text = status;
    if (!error.code.empty()) {
        text += " " + error.code;
    }
    text += ": " + (error.message.empty() ? std::string("(no message)") : error.message);
    if (!error.issues.empty()) {
        text += " (";
        for (std::size_t i = 0; i < error.issues.size(); ++i) {
            text += (i == 0 ? "" : "; ") + error.issues[i];
        }
        text += ")";
    }
    return text;
}

// The Location of a redirect without "/api/<procedure>" and the query, i.e. the base URL to use instead.
std::string redirect_base(const http::Response& response, std::string_view procedure) {
    auto location = response.header("location").value_or("");
    location = location.substr(0, location.find_first_of("?#"));
    const auto suffix = "/api/" + std::string(procedure);
    if (location.size() >= suffix.size() &&
        location.compare(location.size() - suffix.size(), suffix.size(), suffix) == 0) {
        location.resize(location.size() - suffix.size());
    }
    return location;
}

}  // namespace

core::ApiError status_error(std::string_view procedure, const http::Url& base, const http::Response& response,
                            const FailureContext& context) {
    const auto attempts = context.attempts;
    const auto error = decode_error_body(response.body);
    const auto host = base.authority();
    const std::string proc(procedure);
    const auto status = response.status;
    const auto after = attempts > 1 ? " after " + std::to_string(attempts) + " attempts" : std::string();
    std::string message;
    if (status >= 300 && status < 400) {
        const auto target = redirect_base(response, procedure);
        message = target.empty()
                      ? "DOKPLOY_SERVER_URL answered " + proc + " with a redirect (HTTP " + std::to_string(status) +
                            ") but no Location; use Dokploy's final URL (often https://)"
                      : "DOKPLOY_SERVER_URL redirects to " + target + "; use that URL (HTTP " + std::to_string(status) +
                            " on " + proc + ")";
    } else if (status == 401 && (error.message.empty() || lower(error.message) == "unauthorized")) {
        // Dokploy answers a rate-limited key exactly like a wrong one (no 429, no Retry-After).
        message = "DOKPLOY_API_TOKEN was rejected by " + host + " (401 on " + proc + "): " +
                  (context.token_accepted_before ? "it was accepted moments ago, so it is rate limited or was just revoked"
                                                 : "it is wrong, revoked, or rate limited") +
                  ". A key created through Dokploy's API with default settings allows only about 5 provider calls a "
                  "day; generate one in Dokploy's UI (Profile > API/CLI), which has no limit, and set it with "
                  "`devpod provider set-options`";
    } else if (status == 401) {
        message = host + " refused " + proc + ": " + describe(response, error);
    } else if (status == 403) {
        message = "DOKPLOY_API_TOKEN lacks permission for " + proc + " on " + host + " (" + describe(response, error) +
                  "); use an API key of a user allowed to manage this project's services";
    } else if (status == 404 && !is_missing_resource(response)) {
        message = proc + " failed: " + describe(response, error) + "; check that DOKPLOY_SERVER_URL (" +
                  base.to_string() + ") points at Dokploy and that Dokploy is v0.22.0 or newer";
    } else {
        message = proc + " failed: " + describe(response, error);
    }
    return {message + after, proc, status, error.code};
}

core::ApiError unexpected_body(std::string_view procedure, long status, std::string_view problem) {
    return {"Dokploy answered " + std::string(procedure) + " with an unexpected body: " + std::string(problem),
            std::string(procedure), status};
}

bool is_missing_resource(const http::Response& response) {
    if (response.status != 404) {
        return false;
    }
    // An unknown route answers {"message": "Not found", "code": "NOT_FOUND"} (trpc-openapi; "Not found: <path>"
    // elsewhere) or tRPC's "No procedure found on path"; a missing resource names it ("Compose not found").
    const auto error = decode_error_body(response.body);
    const auto message = lower(error.message);
    return error.is_json_object && error.code == "NOT_FOUND" && !message.starts_with("not found") &&
           message.find("procedure") == std::string::npos;
}

}  // namespace dokploy_provider::dokploy::detail
