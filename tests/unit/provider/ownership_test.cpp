// SPDX-License-Identifier: MIT
#include "pkg/provider/ownership.hpp"

#include "pkg/provider/workspace_template.hpp"
#include "tests/support/catch.hpp"

using dokploy_provider::provider::Ownership;
using dokploy_provider::provider::ownership_of;

namespace {

constexpr const char* k_ours = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKx0Wr3nJ5oQ2d8vYtZbG1m7QeS4uP9fLcH6aD2kNw3R devpod";
constexpr const char* k_theirs = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBq7Tn2Lk4Vx9Zr1Mp6Sd3Fh8Jc5Wy0Ge2Ua7Xo4Ri1P devpod";

std::string compose_for(const char* key) {
    dokploy_provider::provider::WorkspaceSpec spec;
    spec.machine_id = "dev";
    spec.image = "cruizba/ubuntu-dind:noble-26.1.4";
    spec.ssh_port = 2222;
    spec.authorized_keys = key;
    spec.host_key_base64 = "QUJD";
    return dokploy_provider::provider::render_compose_file(spec);
}

}  // namespace

TEST_CASE("a machine is ours when its compose file authorizes our client key") {
    CHECK(ownership_of(compose_for(k_ours), k_ours) == Ownership::ours);
    CHECK(ownership_of(compose_for(k_theirs), k_ours) == Ownership::theirs);
    // Dokploy re-serialises the file (quotes dropped, another comment): the key body still matches.
    CHECK(ownership_of("    environment:\n      SSH_AUTHORIZED_KEYS: ssh-ed25519 "
                       "AAAAC3NzaC1lZDI1NTE5AAAAIKx0Wr3nJ5oQ2d8vYtZbG1m7QeS4uP9fLcH6aD2kNw3R other\n",
                       k_ours) == Ownership::ours);
}

TEST_CASE("a service without a compose file is unclaimed, and a key we cannot read claims nothing") {
    CHECK(ownership_of("", k_ours) == Ownership::unclaimed);
    CHECK(ownership_of(" \n", k_ours) == Ownership::unclaimed);
    CHECK(ownership_of(compose_for(k_ours), "") == Ownership::theirs);
    CHECK(ownership_of(compose_for(k_ours), "ssh-ed25519") == Ownership::theirs);
    CHECK(ownership_of(compose_for(k_ours), "ssh-ed25519 AAAA") == Ownership::theirs);  // too short to be a key
}

TEST_CASE("the refusal names the service and the ways out") {
    const auto message = dokploy_provider::provider::not_ours_message("devpod-dev", "devpod-workspaces");
    CHECK(message.find("devpod-dev") != std::string::npos);
    CHECK(message.find("belongs to another DevPod") != std::string::npos);
    CHECK(message.find("another machine name or DOKPLOY_PROJECT_NAME") != std::string::npos);
    CHECK(message.find("delete devpod-dev in Dokploy if it is really yours") != std::string::npos);
}
