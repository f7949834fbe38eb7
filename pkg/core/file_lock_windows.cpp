// SPDX-License-Identifier: MIT
#include <windows.h>

#include "pkg/core/errors.hpp"
#include "pkg/core/file_lock.hpp"
#include "pkg/core/win32.hpp"

namespace dokploy_provider::core {
namespace {

bool lock(HANDLE file, DWORD flags) {
    OVERLAPPED whole_file{};
    return ::LockFileEx(file, LOCKFILE_EXCLUSIVE_LOCK | flags, 0, MAXDWORD, MAXDWORD, &whole_file) != 0;
}

}  // namespace

FileLock::FileLock(const std::filesystem::path& path, const std::function<void()>& on_wait) {
    UniqueHandle file(::CreateFileW(path.c_str(), GENERIC_READ | GENERIC_WRITE,
                                    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, OPEN_ALWAYS,
                                    FILE_ATTRIBUTE_NORMAL, nullptr));
    if (!file.valid()) {
        throw Error("cannot open the lock file " + path.string() + ": " + windows_error_text(::GetLastError()));
    }
    if (!lock(file.get(), LOCKFILE_FAIL_IMMEDIATELY)) {
        on_wait();
        if (!lock(file.get(), 0)) {
            throw Error("cannot lock " + path.string() + ": " + windows_error_text(::GetLastError()));
        }
    }
    m_handle = reinterpret_cast<std::intptr_t>(file.release());
}

FileLock::~FileLock() {
    ::CloseHandle(reinterpret_cast<HANDLE>(m_handle));
}

}  // namespace dokploy_provider::core
