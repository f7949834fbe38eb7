// SPDX-License-Identifier: MIT
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

#include <signal.h>

#include "pkg/core/errors.hpp"
#include "pkg/provider/self_stop.hpp"

namespace dokploy_provider::provider {
namespace {

std::string pid1_cmdline() {
    std::ifstream file("/proc/1/cmdline", std::ios::binary);
    return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

}  // namespace

bool inside_workspace_machine() { return is_workspace_entrypoint(pid1_cmdline()); }

void stop_machine_from_inside() {
    if (!inside_workspace_machine()) {
        throw core::Error("this is not a dokploy-provider machine (PID 1 is not its '" + std::string(k_entrypoint_name) +
                          "' entrypoint), so it cannot stop itself");
    }
    if (::kill(1, SIGUSR1) != 0) {
        throw core::Error(std::string("could not ask the machine's entrypoint to stop: ") + std::strerror(errno));
    }
    spdlog::info("asked the machine's entrypoint to stop the machine (sshd, dockerd, then the container)");
}

}  // namespace dokploy_provider::provider
