// SPDX-License-Identifier: MIT
#include "pkg/provider/workspace_template.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "pkg/provider/templates.hpp"
#include "tests/support/catch.hpp"

namespace provider = dokploy_provider::provider;

namespace {

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

provider::WorkspaceSpec basic_spec() {
    provider::WorkspaceSpec spec;
    spec.machine_id = "my-ws-1a2b3";
    spec.image = "cruizba/ubuntu-dind:noble-26.1.4";
    spec.ssh_port = 2222;
    spec.authorized_keys = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample dokploy-provider";
    spec.host_key_base64 = "LS0tLS1CRUdJTiBPUEVOU1NIIFBSSVZBVEUgS0VZLS0tLS0K";
    return spec;
}

// Compares `actual` with a golden file in tests/data/golden; DP_UPDATE_GOLDEN=1 rewrites the file instead.
void check_golden(const std::string& actual, const std::string& name) {
    const auto path = std::string(DP_TEST_DATA_DIR) + "/golden/" + name;
    if (std::getenv("DP_UPDATE_GOLDEN") != nullptr) {
        std::ofstream(path, std::ios::binary) << actual;
    }
    CHECK(actual == read_text(path));
}

// The version line differs between builds; golden files hold the "{{version}}" placeholder instead.
std::string without_version(std::string text) {
    const auto start = text.find("dokploy-provider ") + 17;
    text.replace(start, text.find(' ', start) - start, "{{version}}");
    return text;
}

}  // namespace

TEST_CASE("the embedded templates are the files in pkg/provider/templates, byte for byte") {
    const std::string dir = std::string(DP_SOURCE_DIR) + "/pkg/provider/templates/";
    CHECK(provider::templates::compose_yaml == read_text(dir + "compose.yaml.tmpl"));
    CHECK(provider::templates::setup_sh == read_text(dir + "setup.sh.tmpl"));
}

TEST_CASE("the compose file matches the golden file") {
    const auto rendered = without_version(provider::render_compose_file(basic_spec()));
    check_golden(rendered, "compose-basic.yaml");
}

TEST_CASE("resource limits appear only when set") {
    auto spec = basic_spec();
    CHECK(provider::render_compose_file(spec).find("cpus:") == std::string::npos);
    CHECK(provider::render_compose_file(spec).find("mem_limit:") == std::string::npos);
    spec.cpus = "1.5";
    spec.memory = "4g";
    const auto rendered = provider::render_compose_file(spec);
    CHECK(rendered.find("\n    cpus: \"1.5\"\n") != std::string::npos);
    CHECK(rendered.find("\n    mem_limit: \"4g\"\n") != std::string::npos);
}

TEST_CASE("GPUs become an NVIDIA device reservation, parsed as Compose reads it") {
    auto spec = basic_spec();
    CHECK(provider::render_compose_file(spec).find("devices:") == std::string::npos);
    spec.gpus = "all";
    CHECK(provider::render_compose_file(spec).find("    deploy:\n      resources:\n        reservations:\n"
                                                   "          devices:\n            - driver: \"nvidia\"\n"
                                                   "              count: all\n              capabilities: [\"gpu\"]\n") !=
          std::string::npos);
    spec.gpus = "2";
    CHECK(provider::render_compose_file(spec).find("              count: 2\n") != std::string::npos);
}

TEST_CASE("hostile values cannot add YAML keys or escape their scalar") {
    auto spec = basic_spec();
    spec.machine_id = "x\"\nprivileged: false\n#";
    spec.image = "img\n    network_mode: host";
    spec.authorized_keys = "ssh-ed25519 AAAA\"; rm -rf / #\n  extra: ${HOME} $(id) `id`";
    spec.host_key_base64 = "\\\"\x01";
    const auto rendered = without_version(provider::render_compose_file(spec));
    check_golden(rendered, "compose-hostile.yaml");
    // Exactly the template's keys at the start of lines: no injected "privileged: false" or "network_mode".
    CHECK(rendered.find("\nprivileged: false") == std::string::npos);
    CHECK(rendered.find("\n    network_mode") == std::string::npos);
}

TEST_CASE("compose_scalar quotes, escapes and doubles dollars") {
    CHECK(provider::compose_scalar("plain") == "\"plain\"");
    CHECK(provider::compose_scalar("a\"b\\c") == R"("a\"b\\c")");
    CHECK(provider::compose_scalar("line\nnext\ttab") == R"("line\nnext\ttab")");
    CHECK(provider::compose_scalar("${HOME} $x") == "\"$${HOME} $$x\"");
    CHECK(provider::compose_scalar("\x01") == R"("\u0001")");
    CHECK(provider::compose_scalar("caf\xc3\xa9") == R"("caf\u00e9")");
}

TEST_CASE("the setup script takes no input but its two environment variables") {
    const std::string script(provider::templates::setup_sh);
    CHECK(script.find("{{") == std::string::npos);
    CHECK(script.find("\"$SSH_HOST_KEY\"") != std::string::npos);
    CHECK(script.find("\"$SSH_AUTHORIZED_KEYS\"") != std::string::npos);
    CHECK(script.find("PasswordAuthentication no") != std::string::npos);
    CHECK(script.find("PermitRootLogin prohibit-password") != std::string::npos);
    CHECK(script.find("if [ ! -x /usr/sbin/sshd ]; then") != std::string::npos);
    CHECK(script.find("dokploy-network") == std::string::npos);
}
