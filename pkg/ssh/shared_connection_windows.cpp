// SPDX-License-Identifier: MIT
// Windows: no shared connections (AF_UNIX sockets exist, but not descriptor passing); `command` connects
// directly every time.
#include "pkg/core/errors.hpp"
#include "pkg/ssh/shared_connection.hpp"

namespace dokploy_provider::ssh {

std::optional<int> run_shared(const SharedSettings& /*settings*/, const std::string& /*command*/,
                              const LocalStreams& /*streams*/) {
    return std::nullopt;
}

void end_shared(const SharedPaths& /*paths*/) {}

int run_master(const SharedSettings& /*settings*/, int /*ready_fd*/) {
    throw core::Error("shared SSH connections are not available on Windows");
}

}  // namespace dokploy_provider::ssh
