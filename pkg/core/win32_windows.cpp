// SPDX-License-Identifier: MIT
#include "pkg/core/win32.hpp"

namespace dokploy_provider::core {

std::string windows_error_text(DWORD code) {
    char* raw = nullptr;
    const DWORD length =
        ::FormatMessageA(FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
                         nullptr, code, 0, reinterpret_cast<char*>(&raw), 0, nullptr);
    std::string text = length > 0 && raw != nullptr ? std::string(raw, length) : "error " + std::to_string(code);
    ::LocalFree(raw);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ' || text.back() == '.')) {
        text.pop_back();
    }
    return text;
}

}  // namespace dokploy_provider::core
