// SPDX-License-Identifier: MIT
#include "pkg/core/files.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "pkg/core/errors.hpp"
#include "pkg/core/files_platform.hpp"

namespace dokploy_provider::core {

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
    detail::write_then_rename(path, content, mode);
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw Error("cannot read " + path.string() + ": " + std::strerror(errno));
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

}  // namespace dokploy_provider::core
