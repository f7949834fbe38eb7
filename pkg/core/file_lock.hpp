// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>

namespace dokploy_provider::core {

// An exclusive lock on a lock file, held for the object's lifetime: flock(2) on Linux and macOS, LockFileEx
// on Windows. The system releases it when the process dies, so a crashed holder never blocks anyone. When
// another process holds it, calls `on_wait` once and waits. Throws core::Error naming the file when it
// cannot be opened or locked.
class FileLock {
public:
    FileLock(const std::filesystem::path& path, const std::function<void()>& on_wait);
    ~FileLock();
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;

private:
    std::intptr_t m_handle;  // the locked file: an fd, or a Windows HANDLE
};

}  // namespace dokploy_provider::core
