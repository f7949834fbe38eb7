// SPDX-License-Identifier: MIT
// The platform half of files.cpp (files_posix.cpp / files_windows.cpp).
#pragma once

#include <filesystem>
#include <string_view>

#include "pkg/core/files.hpp"

namespace dokploy_provider::core::detail {

// Writes `content` to a new temp file beside `path`, flushes it to disk and renames it over `path`.
// The folder exists. Throws core::Error naming `path`.
void write_then_rename(const std::filesystem::path& path, std::string_view content, FileMode mode);

}  // namespace dokploy_provider::core::detail
