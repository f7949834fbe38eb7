// SPDX-License-Identifier: MIT
// RAII owners for every libcurl handle the provider uses. No raw curl_easy_init() or curl_slist_append()
// anywhere else.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>

#include "pkg/core/errors.hpp"

namespace dokploy_provider::http {

struct CurlEasyDeleter {
    void operator()(CURL* handle) const noexcept { curl_easy_cleanup(handle); }
};
using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;

struct CurlSlistDeleter {
    void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};
using CurlSlist = std::unique_ptr<curl_slist, CurlSlistDeleter>;

// A new easy handle. Throws core::Error when libcurl cannot allocate one.
[[nodiscard]] inline CurlEasy make_curl_easy() {
    CurlEasy handle(curl_easy_init());
    if (!handle) {
        throw core::Error("libcurl could not create a transfer handle");
    }
    return handle;
}

// Appends a copy of `line` to `list` (which may be empty). Throws core::Error when out of memory; `list`
// is then unchanged.
inline void append_to(CurlSlist& list, const std::string& line) {
    curl_slist* head = curl_slist_append(list.get(), line.c_str());
    if (head == nullptr) {
        throw core::Error("libcurl could not allocate a header list");
    }
    if (head != list.get()) {
        (void)list.release();  // the old head (if any) is now part of `head`'s list
        list.reset(head);
    }
}

}  // namespace dokploy_provider::http
