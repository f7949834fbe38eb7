// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>

namespace dokploy_provider::ssh {

enum class IoStatus {
    ok,           // `bytes` were transferred (at least one)
    would_block,  // nothing to do now: poll first
    end,          // read: end of file; write: the reader is gone (EPIPE)
    failed,       // any other error; `error` holds an errno value
};

struct IoResult {
    IoStatus status;
    std::size_t bytes = 0;
    int error = 0;
};

}  // namespace dokploy_provider::ssh
