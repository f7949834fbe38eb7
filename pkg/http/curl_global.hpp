// SPDX-License-Identifier: MIT
#pragma once

#include <string>

namespace dokploy_provider::http {

// Process-wide libcurl initialisation; create exactly one, in main, before any request.
class CurlGlobal {
public:
    CurlGlobal();
    ~CurlGlobal();
    CurlGlobal(const CurlGlobal&) = delete;
    CurlGlobal& operator=(const CurlGlobal&) = delete;
};

// The linked libcurl's version and TLS backend, e.g. "7.88.1 (OpenSSL/3.0.17)".
[[nodiscard]] std::string libcurl_version();

}  // namespace dokploy_provider::http
