// SPDX-License-Identifier: MIT
#include "pkg/ssh/ssh_global.hpp"

#include <libssh/libssh.h>

#include "pkg/core/errors.hpp"

namespace dokploy_provider::ssh {

SshGlobal::SshGlobal() {
    if (ssh_init() != SSH_OK) {
        throw core::Error("libssh failed to initialise");
    }
}

SshGlobal::~SshGlobal() { ssh_finalize(); }

std::string libssh_version() { return ssh_version(0); }

}  // namespace dokploy_provider::ssh
