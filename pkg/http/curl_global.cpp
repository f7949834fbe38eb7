// SPDX-License-Identifier: MIT
#include "pkg/http/curl_global.hpp"

#include <curl/curl.h>

#include "pkg/core/errors.hpp"

namespace dokploy_provider::http {

CurlGlobal::CurlGlobal() {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        throw core::Error("libcurl failed to initialise");
    }
}

CurlGlobal::~CurlGlobal() { curl_global_cleanup(); }

std::string libcurl_version() {
    const auto* info = curl_version_info(CURLVERSION_NOW);
    std::string result = info->version;
    if (info->ssl_version != nullptr) {
        result += std::string(" (") + info->ssl_version + ")";
    }
    return result;
}

}  // namespace dokploy_provider::http
