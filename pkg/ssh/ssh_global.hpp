// SPDX-License-Identifier: MIT
#pragma once

#include <string>

namespace dokploy_provider::ssh {

// Process-wide libssh initialisation (ssh_init/ssh_finalize); create exactly one, in main.
class SshGlobal {
public:
    SshGlobal();
    ~SshGlobal();
    SshGlobal(const SshGlobal&) = delete;
    SshGlobal& operator=(const SshGlobal&) = delete;
};

// The linked libssh's version, e.g. "0.10.6/openssl/zlib".
[[nodiscard]] std::string libssh_version();

}  // namespace dokploy_provider::ssh
