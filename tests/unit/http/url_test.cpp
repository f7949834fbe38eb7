// SPDX-License-Identifier: MIT
#include "pkg/http/url.hpp"

#include "tests/support/catch.hpp"

using dokploy_provider::http::parse_url;

TEST_CASE("parse_url accepts host names, IPv4, ports and path prefixes") {
    const auto plain = parse_url("https://dokploy.example.com");
    REQUIRE(plain.url);
    CHECK(plain.url->scheme == "https");
    CHECK(plain.url->host == "dokploy.example.com");
    CHECK_FALSE(plain.url->port);
    CHECK(plain.url->endpoint("project.all") == "https://dokploy.example.com/api/project.all");

    const auto ip = parse_url("HTTP://203.0.113.7:3000/");
    REQUIRE(ip.url);
    CHECK(ip.url->scheme == "http");
    CHECK(ip.url->authority() == "203.0.113.7:3000");
    CHECK(ip.url->to_string() == "http://203.0.113.7:3000");

    const auto prefixed = parse_url("https://example.com/tools/dokploy///");
    REQUIRE(prefixed.url);
    CHECK(prefixed.url->path_prefix == "/tools/dokploy");
    CHECK(prefixed.url->endpoint("compose.one") == "https://example.com/tools/dokploy/api/compose.one");
}

TEST_CASE("parse_url brackets IPv6 hosts in authorities and endpoints") {
    const auto v6 = parse_url("http://[2001:db8::1]:3000/dokploy");
    REQUIRE(v6.url);
    CHECK(v6.url->host == "2001:db8::1");
    CHECK(v6.url->host_is_ipv6());
    CHECK(v6.url->authority() == "[2001:db8::1]:3000");
    CHECK(v6.url->endpoint("server.all") == "http://[2001:db8::1]:3000/dokploy/api/server.all");

    const auto loopback = parse_url("https://[::1]");
    REQUIRE(loopback.url);
    CHECK(loopback.url->authority() == "[::1]");
}

TEST_CASE("parse_url rejects what cannot be a Dokploy base URL, without echoing credentials") {
    CHECK_FALSE(parse_url("dokploy.example.com").url);
    CHECK_FALSE(parse_url("ftp://dokploy.example.com").url);
    CHECK_FALSE(parse_url("https://dokploy.example.com?x=1").url);
    CHECK_FALSE(parse_url("https://exa mple.com").url);
    CHECK_FALSE(parse_url("https://host:0").url);
    CHECK_FALSE(parse_url("https://host:65536").url);
    CHECK_FALSE(parse_url("https://host:").url);
    CHECK_FALSE(parse_url("https://2001:db8::1/").url);
    CHECK_FALSE(parse_url("https://[2001:db8::1").url);
    CHECK_FALSE(parse_url("https://[zz::1]").url);
    const auto credentials = parse_url("https://admin:hunter2@dokploy.example.com");
    CHECK_FALSE(credentials.url);
    CHECK(credentials.error.find("hunter2") == std::string::npos);
}
