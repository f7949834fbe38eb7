// SPDX-License-Identifier: MIT
#pragma once

namespace dokploy_provider::core {

// Every exit status the binary can return. `command` additionally passes the remote exit status through
// (0-255, 128+n for a remote signal), so these values are only what the provider itself decides.
enum class ExitCode : int {
    success = 0,
    failure = 1,        // the operation failed (Dokploy error, deploy failure, timeout, ...)
    usage = 2,          // bad command line, option or environment value; nothing was sent to Dokploy
    ssh_failure = 255,  // `command`: connection, host-key or authentication failure (as OpenSSH's ssh)
};

constexpr int to_int(ExitCode code) noexcept { return static_cast<int>(code); }

}  // namespace dokploy_provider::core
