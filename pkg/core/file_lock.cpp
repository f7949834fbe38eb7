// SPDX-License-Identifier: MIT
#include "pkg/core/file_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>
#include <cstring>

#include "pkg/core/errors.hpp"

namespace dokploy_provider::core {

FileLock::FileLock(const std::filesystem::path& path, const std::function<void()>& on_wait)
    : m_fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600)) {
    if (!m_fd.valid()) {
        throw Error("cannot open the lock file " + path.string() + ": " + std::strerror(errno));
    }
    if (::flock(m_fd.get(), LOCK_EX | LOCK_NB) == 0) {
        return;
    }
    on_wait();
    while (::flock(m_fd.get(), LOCK_EX) != 0) {
        if (errno != EINTR) {
            throw Error("cannot lock " + path.string() + ": " + std::strerror(errno));
        }
    }
}

}  // namespace dokploy_provider::core
