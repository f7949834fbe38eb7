// SPDX-License-Identifier: MIT
// Atomic replacement on Windows: MoveFileExW with MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH.
// Access control comes from the folder (the user's profile), so FileMode has no further effect here.
#include <algorithm>
#include <random>
#include <string>
#include <windows.h>

#include "pkg/core/errors.hpp"
#include "pkg/core/files_platform.hpp"
#include "pkg/core/win32.hpp"

namespace dokploy_provider::core::detail {

void write_then_rename(const std::filesystem::path& path, std::string_view content, FileMode /*mode*/) {
    std::random_device device;
    auto temp = path;
    temp += L".tmp." + std::to_wstring(::GetCurrentProcessId()) + L"." + std::to_wstring(device());
    const auto fail = [&](DWORD code) {
        ::DeleteFileW(temp.c_str());
        throw Error("cannot write " + path.string() + ": " + windows_error_text(code));
    };
    {
        const UniqueHandle file(
            ::CreateFileW(temp.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, nullptr));
        if (!file.valid()) {
            throw Error("cannot write " + path.string() + ": " + windows_error_text(::GetLastError()));
        }
        std::size_t done = 0;
        while (done < content.size()) {
            DWORD written = 0;
            const auto chunk = static_cast<DWORD>(std::min<std::size_t>(content.size() - done, 1U << 20));
            if (::WriteFile(file.get(), content.data() + done, chunk, &written, nullptr) == 0) {
                fail(::GetLastError());
            }
            done += written;
        }
        if (::FlushFileBuffers(file.get()) == 0) {
            fail(::GetLastError());
        }
    }
    if (::MoveFileExW(temp.c_str(), path.c_str(), MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH) == 0) {
        fail(::GetLastError());
    }
}

}  // namespace dokploy_provider::core::detail
