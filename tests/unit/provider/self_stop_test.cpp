// SPDX-License-Identifier: MIT
#include "pkg/provider/self_stop.hpp"

#include <string>

#include "tests/support/catch.hpp"

using dokploy_provider::provider::is_workspace_entrypoint;

namespace {

std::string cmdline(std::initializer_list<std::string> args) {
    std::string result;
    for (const auto& arg : args) {
        result += arg;
        result += '\0';
    }
    return result;
}

}  // namespace

TEST_CASE("PID 1 of a machine is the entrypoint the compose file starts") {
    // entrypoint: ["/bin/bash", "-c", <script>, "dokploy-workspace"]
    CHECK(is_workspace_entrypoint(cmdline({"/bin/bash", "-c", "set -eu\nlog() {...}", "dokploy-workspace"})));
    CHECK(is_workspace_entrypoint(cmdline({"bash", "-c", "x", "dokploy-workspace"})));
    CHECK(is_workspace_entrypoint(cmdline({"/bin/sh", "-c", "x", "dokploy-workspace"})));
}

TEST_CASE("anything else as PID 1 is not a machine: a host's init, a container without our entrypoint") {
    CHECK_FALSE(is_workspace_entrypoint(""));
    CHECK_FALSE(is_workspace_entrypoint(cmdline({"/sbin/init"})));
    CHECK_FALSE(is_workspace_entrypoint(cmdline({"/lib/systemd/systemd", "--system", "--deserialize", "31"})));
    CHECK_FALSE(is_workspace_entrypoint(cmdline({"/usr/sbin/sshd", "-D", "-e", "dokploy-workspace"})));
    CHECK_FALSE(is_workspace_entrypoint(cmdline({"/bin/bash", "-c", "x", "dokploy-workspace-other"})));
    CHECK_FALSE(is_workspace_entrypoint(cmdline({"/bin/bash", "-x", "x", "dokploy-workspace"})));
    CHECK_FALSE(is_workspace_entrypoint(cmdline({"/bin/bash", "dokploy-workspace"})));
}
