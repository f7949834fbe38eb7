// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <functional>

#include "pkg/core/unique_fd.hpp"

namespace dokploy_provider::core {

// An exclusive advisory lock (flock) on a lock file, held for the object's lifetime. The kernel releases it
// when the process dies, so a crashed holder never blocks anyone. When another process holds it, calls
// `on_wait` once and waits. Throws core::Error naming the file when it cannot be opened or locked.
class FileLock {
public:
    FileLock(const std::filesystem::path& path, const std::function<void()>& on_wait);

private:
    UniqueFd m_fd;
};

}  // namespace dokploy_provider::core
