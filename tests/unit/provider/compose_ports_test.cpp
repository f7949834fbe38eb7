// SPDX-License-Identifier: MIT
#include "pkg/provider/compose_ports.hpp"

#include <string>

#include "pkg/provider/workspace_template.hpp"
#include "tests/support/catch.hpp"

using dokploy_provider::provider::published_host_ports;
using Ports = std::vector<int>;

namespace {

// The compose file create renders for a machine with SSH on `port`.
std::string our_compose_file(int port) {
    dokploy_provider::provider::WorkspaceSpec spec;
    spec.machine_id = "ws";
    spec.image = "img";
    spec.ssh_port = port;
    spec.authorized_keys = "ssh-ed25519 AAAA";
    spec.host_key_base64 = "QUJD";
    return dokploy_provider::provider::render_compose_file(spec);
}

}  // namespace

TEST_CASE("short-syntax ports in block sequences") {
    const auto* file = R"(services:
  web:
    image: nginx
    ports:
      - "8080:80"
      - 2222:22
      - '127.0.0.1:3000:3000/tcp'
      - "[::1]:4000:4000"
      - 5000-5002:5000-5002
      - "80"          # container only: no host port
)";
    CHECK(published_host_ports(file) == Ports{2222, 3000, 4000, 5000, 5001, 5002, 8080});
}

TEST_CASE("flow sequences, JSON and long syntax") {
    CHECK(published_host_ports("ports: [\"2300:22\", '2301:22']") == Ports{2300, 2301});
    CHECK(published_host_ports(R"({"services":{"a":{"ports":["2400:22"]}}})") == Ports{2400});
    const auto* long_syntax = R"(    ports:
      - target: 22
        published: 2500
        protocol: tcp
      - target: 80
        published: "2600-2601"
)";
    CHECK(published_host_ports(long_syntax) == Ports{2500, 2600, 2601});
}

TEST_CASE("what is not a published port is ignored") {
    CHECK(published_host_ports("").empty());
    CHECK(published_host_ports("image: redis:7\ncommand: sleep 3600\n").empty());
    CHECK(published_host_ports("ports:\n  - \"99999:22\"\n  - \"0:22\"\n  - \"3000-1000:22\"\n").empty());
    CHECK(published_host_ports("ports:\n  - \"1-65535:1-65535\"\n").empty());
    CHECK(published_host_ports(std::string(100'000, '9')).empty());
}

TEST_CASE("the port of our own compose file is found") {
    CHECK(published_host_ports(our_compose_file(2345)) == Ports{2345});
}

TEST_CASE("the SSH port is the one mapped to container port 22, whatever else is published") {
    using dokploy_provider::provider::published_ssh_port;
    // A port published in Dokploy next to ours, lower than the SSH one: recovery must not take it.
    CHECK(published_ssh_port("services:\n  workspace:\n    ports:\n      - \"3000:3000\"\n      - \"42209:22\"\n") == 42209);
    // As Dokploy re-serialises the file: quotes dropped.
    CHECK(published_ssh_port("    ports:\n      - 3000:3000\n      - 42209:22\n") == 42209);
    CHECK(published_ssh_port("ports: [\"127.0.0.1:2400:22/tcp\", \"80:8080\"]") == 2400);
    CHECK(published_ssh_port("    ports:\n      - 2222:2222\n      - 122:80\n") == std::nullopt);
    CHECK(published_ssh_port("    ports:\n      - 5000:220\n") == std::nullopt);
    CHECK(published_ssh_port("") == std::nullopt);
    CHECK(published_ssh_port(our_compose_file(2345)) == 2345);
}
