// SPDX-License-Identifier: MIT
#include <sys/resource.h>

#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "pkg/core/process.hpp"

namespace dokploy_provider::core {

void forbid_core_dumps() noexcept {
    const rlimit none{0, 0};
    (void)::setrlimit(RLIMIT_CORE, &none);
#ifdef __linux__
    (void)::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
}

}  // namespace dokploy_provider::core
