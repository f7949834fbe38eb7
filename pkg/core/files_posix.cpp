// SPDX-License-Identifier: MIT
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include "pkg/core/errors.hpp"
#include "pkg/core/files_platform.hpp"
#include "pkg/core/unique_fd.hpp"

namespace dokploy_provider::core::detail {
namespace {

std::string errno_text() {
    return std::strerror(errno);
}

std::string temp_suffix() {
    std::random_device device;
    return ".tmp." + std::to_string(::getpid()) + "." + std::to_string(device());
}

}  // namespace

void write_then_rename(const std::filesystem::path& path, std::string_view content, FileMode mode) {
    const auto temp = path.string() + temp_suffix();
    const mode_t bits = mode == FileMode::owner_only ? 0600 : 0644;
    UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, bits));
    if (fd.get() < 0) {
        throw Error("cannot write " + path.string() + ": " + errno_text());
    }
    const char* data = content.data();
    std::size_t left = content.size();
    while (left > 0) {
        const auto written = ::write(fd.get(), data, left);
        if (written < 0 && errno == EINTR) {
            continue;
        }
        if (written < 0) {
            const auto reason = errno_text();
            ::unlink(temp.c_str());
            throw Error("cannot write " + path.string() + ": " + reason);
        }
        data += written;
        left -= static_cast<std::size_t>(written);
    }
    if (::fchmod(fd.get(), bits) != 0 || ::fsync(fd.get()) != 0 || ::close(fd.release()) != 0 ||
        ::rename(temp.c_str(), path.c_str()) != 0) {
        const auto reason = errno_text();
        ::unlink(temp.c_str());
        throw Error("cannot write " + path.string() + ": " + reason);
    }
}

}  // namespace dokploy_provider::core::detail
