// SPDX-License-Identifier: MIT
#include "pkg/provider/port_claim.hpp"

#include <spdlog/spdlog.h>

#include "pkg/core/errors.hpp"
#include "pkg/provider/port_allocator.hpp"
#include "pkg/provider/tcp_probe.hpp"

namespace dokploy_provider::provider {
namespace {

constexpr core::Millis k_probe_timeout{500};

}  // namespace

int choose_port(const Options& options, const std::string& machine_id, const std::string& ssh_host,
                const std::set<int>& excluded) {
    const auto port = pick_port(options.ssh_port_range, machine_id, excluded, [&](int candidate) {
        const bool free = tcp_port_looks_free(ssh_host, candidate, k_probe_timeout);
        if (!free) {
            spdlog::debug("port {} on {} answers already; skipping it", candidate, ssh_host);
        }
        return free;
    });
    if (!port) {
        throw core::Error("no free SSH port in DOKPLOY_SSH_PORT_RANGE " + std::to_string(options.ssh_port_range.low) +
                          "-" + std::to_string(options.ssh_port_range.high) + " on " + ssh_host +
                          "; widen the range or delete unused machines");
    }
    return *port;
}

}  // namespace dokploy_provider::provider
