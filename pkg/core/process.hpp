// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <optional>

namespace dokploy_provider::core {

// Keeps secrets out of crash dumps and away from other processes of the same user: no core file (a crash
// would otherwise write the API token and key material into one) and, on Linux, not dumpable, so that neither
// ptrace nor /proc/<pid>/mem|environ of this process is open to anyone but root. Call first thing in main,
// before any secret is read. Best effort: failures are ignored (there is nothing better to do).
void forbid_core_dumps() noexcept;

// The absolute path of this program's executable file; std::nullopt when the system does not say (then
// nothing that re-runs the program is possible).
[[nodiscard]] std::optional<std::filesystem::path> current_executable();

}  // namespace dokploy_provider::core
