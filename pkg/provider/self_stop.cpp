// SPDX-License-Identifier: MIT
#include "pkg/provider/self_stop.hpp"

#include <vector>

namespace dokploy_provider::provider {

bool is_workspace_entrypoint(std::string_view cmdline) {
    std::vector<std::string_view> args;
    while (!cmdline.empty()) {
        const auto end = cmdline.find('\0');
        args.push_back(cmdline.substr(0, end));
        cmdline = end == std::string_view::npos ? std::string_view() : cmdline.substr(end + 1);
    }
    if (args.size() < 4 || args[1] != "-c" || args.back() != k_entrypoint_name) {
        return false;
    }
    const auto shell = args.front().substr(args.front().rfind('/') + 1);
    return shell == "bash" || shell == "sh";
}

}  // namespace dokploy_provider::provider
