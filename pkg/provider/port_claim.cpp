// SPDX-License-Identifier: MIT
#include "pkg/provider/port_claim.hpp"

#include <spdlog/spdlog.h>

#include "pkg/core/errors.hpp"
#include "pkg/provider/compose_ports.hpp"
#include "pkg/provider/port_allocator.hpp"
#include "pkg/provider/tcp_probe.hpp"

namespace dokploy_provider::provider {
namespace {

constexpr core::Millis k_probe_timeout{500};

std::vector<dokploy::ComposeSummary> all_compose_services(dokploy::Client& client) {
    std::vector<dokploy::ComposeSummary> services;
    for (const auto& project : client.projects()) {
        services.insert(services.end(), project.compose.begin(), project.compose.end());
        for (const auto& environment : project.environments) {
            services.insert(services.end(), environment.compose.begin(), environment.compose.end());
        }
    }
    return services;
}

}  // namespace

std::map<int, PortClaimant> ports_in_use(dokploy::Client& client, const std::string& server_id,
                                         const std::string& own_compose_id) {
    std::map<int, PortClaimant> claims;
    for (const auto& summary : all_compose_services(client)) {
        if (summary.compose_id == own_compose_id) {
            continue;
        }
        // project.all lists services thinly (no serverId, no createdAt): compose.one has the full record.
        const auto compose = client.find_compose(summary.compose_id);
        if (!compose || compose->server_id != server_id) {
            continue;  // deleted meanwhile, or on another server
        }
        const PortClaimant claimant{compose->created_at, compose->compose_id};
        for (const int port : published_host_ports(compose->compose_file)) {
            auto [it, inserted] = claims.emplace(port, claimant);
            if (!inserted && claimant < it->second) {
                it->second = claimant;
            }
        }
    }
    return claims;
}

int choose_port(dokploy::Client& client, const Options& options, const std::string& machine_id,
                const std::string& ssh_host, const std::string& own_compose_id, const std::set<int>& excluded) {
    const auto claims = ports_in_use(client, options.server_id.value_or(""), own_compose_id);
    std::set<int> taken = excluded;
    for (const auto& [port, claimant] : claims) {
        taken.insert(port);
    }
    const auto port = pick_port(options.ssh_port_range, machine_id, taken, [&](int candidate) {
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

bool lost_port_race(dokploy::Client& client, const std::string& server_id, int port, const PortClaimant& us) {
    const auto claims = ports_in_use(client, server_id, us.compose_id);
    const auto it = claims.find(port);
    return it != claims.end() && it->second < us;
}

}  // namespace dokploy_provider::provider
