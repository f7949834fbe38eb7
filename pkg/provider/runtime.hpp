// SPDX-License-Identifier: MIT
#pragma once

#include "pkg/http/curl_global.hpp"
#include "pkg/ssh/ssh_global.hpp"

namespace dokploy_provider::provider {

// Initialises every C library the provider uses for the life of the process. One instance, in main.
struct Runtime {
    http::CurlGlobal curl;
    ssh::SshGlobal ssh;
};

}  // namespace dokploy_provider::provider
