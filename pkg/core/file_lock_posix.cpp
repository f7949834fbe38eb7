// SPDX-License-Identifier: MIT
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "pkg/core/errors.hpp"
#include "pkg/core/file_lock.hpp"
#include "pkg/core/unique_fd.hpp"

namespace dokploy_provider::core {

FileLock::FileLock(const std::filesystem::path& path, const std::function<void()>& on_wait) {
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (!fd.valid()) {
        throw Error("cannot open the lock file " + path.string() + ": " + std::strerror(errno));
    }
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
        on_wait();
        while (::flock(fd.get(), LOCK_EX) != 0) {
            if (errno != EINTR) {
                throw Error("cannot lock " + path.string() + ": " + std::strerror(errno));
            }
        }
    }
    m_handle = fd.release();
}

FileLock::~FileLock() {
    ::close(static_cast<int>(m_handle));
}

}  // namespace dokploy_provider::core
