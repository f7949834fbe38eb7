// SPDX-License-Identifier: MIT
#include "pkg/http/url.hpp"

#include <algorithm>
#include <cctype>

#include "pkg/core/numbers.hpp"

namespace dokploy_provider::http {
namespace {

constexpr std::size_t k_max_url_length = 2048;

bool is_host_name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_';
}

bool is_path_char(char c) {
    static constexpr std::string_view k_allowed = "-._~!$&'()*+,;=:@/%";
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || k_allowed.find(c) != std::string_view::npos;
}

// A DNS name or IPv4 address: dot-separated labels of 1-63 letters, digits, '-' or '_', none starting or
// ending with '-', at most 253 characters (one trailing dot allowed).
bool is_valid_host_name(std::string_view host) {
    if (host.ends_with('.')) {
        host.remove_suffix(1);
    }
    if (host.empty() || host.size() > 253) {
        return false;
    }
    std::size_t start = 0;
    while (start <= host.size()) {
        auto end = host.find('.', start);
        end = end == std::string_view::npos ? host.size() : end;
        const auto label = host.substr(start, end - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-' ||
            !std::all_of(label.begin(), label.end(), is_host_name_char)) {
            return false;
        }
        start = end + 1;
    }
    return true;
}

UrlParseResult fail(std::string message) { return {std::nullopt, std::move(message)}; }

// Splits "host[:port]" or "[v6][:port]" into the url; returns an error message or "".
std::string parse_authority(std::string_view authority, Url& url) {
    std::string_view port_text;
    if (authority.starts_with('[')) {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) {
            return "the IPv6 address is missing its closing ']'";
        }
        url.host = std::string(authority.substr(1, close - 1));
        const auto rest = authority.substr(close + 1);
        if (!rest.empty() && !rest.starts_with(':')) {
            return "unexpected text after the IPv6 address";
        }
        port_text = rest.empty() ? rest : rest.substr(1);
        const bool valid_v6 = !url.host.empty() && std::all_of(url.host.begin(), url.host.end(), [](char c) {
            return std::isxdigit(static_cast<unsigned char>(c)) != 0 || c == ':' || c == '.';
        });
        if (!valid_v6 || url.host.find(':') == std::string::npos) {
            return "'[" + url.host + "]' is not an IPv6 address";
        }
    } else {
        const auto colon = authority.rfind(':');
        url.host = std::string(authority.substr(0, colon));
        port_text = colon == std::string_view::npos ? std::string_view{} : authority.substr(colon + 1);
        if (colon != std::string_view::npos && port_text.empty()) {
            return "the port after ':' is empty";
        }
        if (url.host.empty()) {
            return "the host is empty";
        }
        if (!is_valid_host_name(url.host)) {
            return "the host '" + url.host + "' is not a valid host name or IPv4 address (IPv6 needs [brackets])";
        }
    }
    if (!port_text.empty()) {
        const auto port = core::parse_int(port_text);
        if (!port || *port < 1 || *port > 65535) {
            return "the port '" + std::string(port_text) + "' is not a number from 1 to 65535";
        }
        url.port = *port;
    }
    return {};
}

}  // namespace

bool Url::host_is_ipv6() const { return host.find(':') != std::string::npos; }

std::string Url::authority() const {
    std::string result = host_is_ipv6() ? "[" + host + "]" : host;
    if (port) {
        result += ":" + std::to_string(*port);
    }
    return result;
}

std::string Url::to_string() const { return scheme + "://" + authority() + path_prefix; }

std::string Url::endpoint(std::string_view procedure) const {
    return to_string() + "/api/" + std::string(procedure);
}

UrlParseResult parse_url(std::string_view text) {
    if (text.size() > k_max_url_length) {
        return fail("it is longer than 2048 characters");
    }
    if (std::any_of(text.begin(), text.end(),
                    [](char c) { return std::iscntrl(static_cast<unsigned char>(c)) != 0 || c == ' '; })) {
        return fail("it contains spaces or control characters");
    }
    const auto scheme_end = text.find("://");
    if (scheme_end == std::string_view::npos) {
        return fail("it must start with http:// or https://");
    }
    Url url;
    url.scheme = std::string(text.substr(0, scheme_end));
    std::transform(url.scheme.begin(), url.scheme.end(), url.scheme.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (url.scheme != "http" && url.scheme != "https") {
        return fail("the scheme must be http or https");
    }
    auto rest = text.substr(scheme_end + 3);
    if (rest.find_first_of("?#") != std::string_view::npos) {
        return fail("it must not have a query (?) or fragment (#)");
    }
    const auto path_start = rest.find('/');
    const auto authority = rest.substr(0, path_start);
    if (authority.find('@') != std::string_view::npos) {
        return fail("it must not contain credentials (user:password@); put the token in DOKPLOY_API_TOKEN");
    }
    if (auto error = parse_authority(authority, url); !error.empty()) {
        return fail(error);
    }
    auto path = path_start == std::string_view::npos ? std::string_view{} : rest.substr(path_start);
    while (path.ends_with('/')) {
        path.remove_suffix(1);
    }
    if (!std::all_of(path.begin(), path.end(), is_path_char) || path.find("//") != std::string_view::npos) {
        return fail("the path '" + std::string(path) + "' is not a valid URL path");
    }
    url.path_prefix = std::string(path);
    return {url, {}};
}

}  // namespace dokploy_provider::http
