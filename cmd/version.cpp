// SPDX-License-Identifier: MIT
#include <iostream>

#include "cmd/app.hpp"
#include "pkg/core/build_info.hpp"
#include "pkg/http/curl_global.hpp"
#include "pkg/ssh/ssh_global.hpp"

namespace dokploy_provider::cmd {

void register_version(CLI::App& app, AppContext& context) {
    auto* sub = app.add_subcommand("version", "Print the version, git commit and library versions");
    sub->callback([&context] {
        std::cout << "dokploy-provider " << core::k_version << " (commit " << core::k_commit << ")\n"
                  << "libcurl " << http::libcurl_version() << "\n"
                  << "libssh " << ssh::libssh_version() << "\n";
        context.exit_code = 0;
    });
}

}  // namespace dokploy_provider::cmd
