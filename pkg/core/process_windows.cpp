// SPDX-License-Identifier: MIT
// Windows has no core files; Windows Error Reporting keeps crash dumps only where an administrator asked for
// them (LocalDumps). Turning off its dialog is all a process can do for itself.
#include <windows.h>

#include "pkg/core/process.hpp"

namespace dokploy_provider::core {

void forbid_core_dumps() noexcept {
    ::SetErrorMode(::GetErrorMode() | SEM_NOGPFAULTERRORBOX);
}

// Nothing on Windows re-runs the program (no shared SSH connections there).
std::optional<std::filesystem::path> current_executable() {
    return std::nullopt;
}

}  // namespace dokploy_provider::core
