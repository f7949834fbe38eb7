// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dokploy_provider::http {

// A Dokploy base URL: http(s), a host (name, IPv4 or bracketed IPv6 literal), an optional port and an
// optional path prefix for a Dokploy served under a reverse-proxy path. No credentials, query or fragment.
struct Url {
    std::string scheme;       // "http" or "https"
    std::string host;         // without brackets, e.g. "dokploy.example.com", "10.0.0.5", "::1"
    std::optional<int> port;  // explicit port, if any
    std::string path_prefix;  // "" or "/some/prefix" (no trailing slash)

    // True when `host` is an IPv6 literal (it is bracketed in URLs).
    [[nodiscard]] bool host_is_ipv6() const;
    // "host", "[::1]" or "host:port" / "[::1]:3000", as in a URL.
    [[nodiscard]] std::string authority() const;
    // The URL of one API procedure, e.g. endpoint("project.all") -> "https://host/prefix/api/project.all".
    [[nodiscard]] std::string endpoint(std::string_view procedure) const;
    // The base URL without a trailing slash.
    [[nodiscard]] std::string to_string() const;
};

struct UrlParseResult {
    std::optional<Url> url;
    std::string error;  // why it was rejected (no secrets: credentials are never echoed)
};

// Parses and validates a base URL. A trailing '/' is accepted and dropped.
[[nodiscard]] UrlParseResult parse_url(std::string_view text);

}  // namespace dokploy_provider::http
