// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace dokploy_provider::core {

enum class FileMode { owner_only /* 0600 */, public_read /* 0644 */ };

// Writes `content` to `path` atomically: a temp file in the same folder, fsync, chmod, rename. Creates the
// parent folder (0700) if needed. Concurrent readers see the old or the new file, never a partial one.
// Throws core::Error naming the path.
void write_file_atomically(const std::filesystem::path& path, std::string_view content, FileMode mode);

// Reads a whole file. Throws core::Error naming the path when it cannot be read.
[[nodiscard]] std::string read_file(const std::filesystem::path& path);

}  // namespace dokploy_provider::core
