// SPDX-License-Identifier: MIT
#include <sys/resource.h>

#ifdef __linux__
#include <sys/prctl.h>
#endif
#ifdef __APPLE__
#include <climits>
#include <cstdint>
#include <mach-o/dyld.h>
#include <vector>
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

std::optional<std::filesystem::path> current_executable() {
    std::error_code error;
#ifdef __APPLE__
    std::uint32_t size = 0;
    (void)_NSGetExecutablePath(nullptr, &size);
    std::vector<char> buffer(size + 1, '\0');
    if (_NSGetExecutablePath(buffer.data(), &size) != 0) {
        return std::nullopt;
    }
    auto path = std::filesystem::canonical(buffer.data(), error);
#else
    auto path = std::filesystem::read_symlink("/proc/self/exe", error);
#endif
    if (error || path.empty()) {
        return std::nullopt;
    }
    return path;
}

}  // namespace dokploy_provider::core
