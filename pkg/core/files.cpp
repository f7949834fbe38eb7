// SPDX-License-Identifier: MIT
#include "pkg/core/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <utility>

#include "pkg/core/errors.hpp"
#include "pkg/core/unique_fd.hpp"

namespace dokploy_provider::core {
namespace {

std::string errno_text() { return std::strerror(errno); }

std::string temp_suffix() {
    std::random_device device;
    return ".tmp." + std::to_string(::getpid()) + "." + std::to_string(device());
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path, std::string_view content, FileMode mode) {
    const auto folder = path.parent_path();
    std::error_code ec;
    if (!folder.empty() && !std::filesystem::exists(folder, ec)) {
        std::filesystem::create_directories(folder, ec);
        if (ec) {
            throw Error("cannot create folder " + folder.string() + ": " + ec.message());
        }
        std::filesystem::permissions(folder, std::filesystem::perms::owner_all, ec);
    }
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

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw Error("cannot read " + path.string() + ": " + errno_text());
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

}  // namespace dokploy_provider::core
