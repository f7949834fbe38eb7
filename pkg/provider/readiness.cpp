// SPDX-License-Identifier: MIT
#include "pkg/provider/readiness.hpp"

#include <spdlog/spdlog.h>

#include "pkg/core/duration.hpp"
#include "pkg/core/errors.hpp"
#include "pkg/provider/deploy_log.hpp"

namespace dokploy_provider::provider {
namespace {

using Clock = std::chrono::steady_clock;

constexpr core::Millis k_poll_interval{1'000};
constexpr core::Millis k_progress_interval{10'000};
constexpr core::Millis k_probe_timeout{5'000};
// How long a stale `error` status may stand before our queued deployment shows up in the list.
constexpr core::Millis k_queue_grace{20'000};

core::Millis since(Clock::time_point start) {
    return std::chrono::duration_cast<core::Millis>(Clock::now() - start);
}

// The deployment this wait is about, if Dokploy lists it.
std::optional<dokploy::Deployment> our_deployment(dokploy::Client& client, const ReadinessTarget& target) {
    if (!target.deploy_title) {
        return std::nullopt;
    }
    for (auto& deployment : client.deployments(target.compose_id)) {
        if (deployment.title == *target.deploy_title) {
            return deployment;
        }
    }
    return std::nullopt;
}

constexpr int k_log_tail_lines = 40;

// Why a deploy failed. Dokploy leaves a failed deployment's errorMessage null and writes Docker's output only
// to the deployment's log: read its tail where the server offers deployment.readLogs.
WaitOutcome deploy_failure(dokploy::Client& client, const ReadinessTarget& target,
                           const std::optional<dokploy::Deployment>& deployment) {
    const auto failed = "the deploy of " + target.service_name + " failed: ";
    if (deployment && !deployment->error_message.empty()) {
        return {false, failed + deployment->error_message, is_port_conflict(deployment->error_message)};
    }
    std::optional<std::string> log;
    if (deployment) {
        try {
            log = client.deployment_log(deployment->deployment_id, k_log_tail_lines);
        } catch (const core::Error& error) {
            spdlog::debug("could not read the deploy log of {}: {}", target.service_name, error.what());
        }
    }
    const auto where = "open the service " + target.service_name + " in Dokploy, tab Deployments, for the whole log";
    if (const auto summary = log ? summarize_deploy_log(*log) : std::string(); !summary.empty()) {
        return {false, failed + summary + " (" + where + ")", is_port_conflict(*log)};
    }
    return {false, failed + "Dokploy reported status 'error' without details; " + where, false};
}

constexpr int k_container_log_lines = 20;
constexpr std::size_t k_max_containers_quoted = 2;

// What Dokploy tells about a machine that does not answer SSH: the last lines its containers printed (an
// image pull, openssh-server's install, dockerd failing) and the end of its deploy log, as "; its container
// log ends: ...". Empty when nothing is known. Reading them must not hide the timeout: failures are skipped.
std::string diagnose_unreachable(dokploy::Client& client, const ReadinessTarget& target) {
    std::string found;
    try {
        if (const auto containers = target.app_name.empty() ? std::nullopt
                                                             : client.containers(target.app_name, target.server_id)) {
            std::size_t quoted = 0;
            for (const auto& container : *containers) {
                if (container.container_id.empty() || container.container_id.find(' ') != std::string::npos ||
                    quoted == k_max_containers_quoted) {
                    continue;  // Dokploy's placeholder row ("No container id") when it cannot ask Docker
                }
                const auto log = client.container_log(target.compose_id, container.container_id, k_container_log_lines);
                if (const auto summary = log ? summarize_deploy_log(*log) : std::string(); !summary.empty()) {
                    found += "; the log of container " + container.name + " (" + container.state + ") ends: " + summary;
                    ++quoted;
                }
            }
        }
        if (const auto deployment = our_deployment(client, target)) {
            const auto log = client.deployment_log(deployment->deployment_id, k_log_tail_lines);
            if (const auto summary = log ? summarize_deploy_log(*log) : std::string(); !summary.empty()) {
                found += "; the deploy log ends: " + summary;
            }
        }
    } catch (const core::Error& error) {
        spdlog::debug("could not read the logs of {}: {}", target.service_name, error.what());
    }
    return found;
}

// Logs one progress line when the state changed or every k_progress_interval.
class Progress {
public:
    explicit Progress(Clock::time_point start) : m_start(start) {}
    void report(const std::string& what) {
        if (what != m_last || since(m_last_report) >= k_progress_interval) {
            spdlog::info("{} ({} elapsed)", what, core::format_duration(since(m_start)));
            m_last = what;
            m_last_report = Clock::now();
        }
    }

private:
    Clock::time_point m_start;
    Clock::time_point m_last_report{};
    std::string m_last;
};

}  // namespace

WaitOutcome wait_until_ready(dokploy::Client& client, http::Sleeper& sleeper, const ReadinessTarget& target,
                             core::Millis timeout) {
    const auto start = Clock::now();
    Progress progress(start);
    const auto where = target.endpoint.host + ":" + std::to_string(target.endpoint.port);
    std::string last_state = "nothing yet";
    while (true) {
        const auto compose = client.find_compose(target.compose_id);
        if (!compose) {
            return {false, "the compose service " + target.service_name + " was deleted while waiting", false};
        }
        const auto& status = compose->compose_status;
        if (status == "error") {
            const auto deployment = our_deployment(client, target);
            if (!target.deploy_title || (deployment && deployment->status == "error") || since(start) > k_queue_grace) {
                return deploy_failure(client, target, deployment);
            }
            progress.report("waiting for Dokploy to start the deploy of " + target.service_name);
        } else if (status == "done") {
            const auto probe = ssh::probe_ssh(target.endpoint, target.credentials, k_probe_timeout);
            if (probe == ssh::ProbeResult::ready) {
                spdlog::info("{} is ready: SSH answers on {} ({})", target.service_name, where,
                             core::format_duration(since(start)));
                return {true, {}, false};
            }
            if (probe == ssh::ProbeResult::host_key_mismatch) {
                throw ssh::HostKeyMismatch(where);
            }
            last_state = probe == ssh::ProbeResult::auth_refused ? "SSH refused the machine's key" : "SSH not answering";
            progress.report("deployed; waiting for SSH on " + where);
        } else {
            last_state = "deploy status '" + status + "'";
            progress.report("waiting for Dokploy to deploy " + target.service_name + ", status " + status);
        }
        if (since(start) + k_poll_interval > timeout) {
            std::string failure = target.service_name;
            failure += " did not become reachable over SSH on " + where;
            failure += " within DOKPLOY_CREATE_TIMEOUT (" + core::format_duration(target.budget);
            failure += ", last state: " + last_state + ")";
            failure += diagnose_unreachable(client, target);
            failure += "; raise DOKPLOY_CREATE_TIMEOUT for slow image pulls, or check the service's logs in Dokploy";
            return {false, failure, false};
        }
        sleeper.sleep(k_poll_interval);
    }
}

}  // namespace dokploy_provider::provider
