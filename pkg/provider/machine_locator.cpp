// SPDX-License-Identifier: MIT
#include "pkg/provider/machine_locator.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <tuple>
#include <vector>

#include "pkg/core/errors.hpp"

namespace dokploy_provider::provider {
namespace {

constexpr const char* k_project_description = "DevPod workspaces managed by dokploy-provider";

// Oldest first; ties broken by id so every client picks the same one.
template <typename T, typename IdOf>
void sort_oldest_first(std::vector<T>& items, IdOf id_of) {
    std::sort(items.begin(), items.end(), [&](const T& a, const T& b) {
        return std::tie(a.created_at, id_of(a)) < std::tie(b.created_at, id_of(b));
    });
}

std::vector<dokploy::Project> projects_named(dokploy::Client& client, const std::string& name) {
    auto projects = client.projects();
    std::erase_if(projects, [&](const dokploy::Project& p) { return p.name != name; });
    sort_oldest_first(projects, [](const dokploy::Project& p) -> const std::string& { return p.project_id; });
    return projects;
}

std::vector<dokploy::Environment> environments_named(const dokploy::Project& project, const std::string& name) {
    auto environments = project.environments;
    std::erase_if(environments, [&](const dokploy::Environment& e) { return e.name != name; });
    sort_oldest_first(environments,
                      [](const dokploy::Environment& e) -> const std::string& { return e.environment_id; });
    return environments;
}

void collect(std::vector<MachineRef>& found, const std::vector<dokploy::ComposeSummary>& services,
             const std::string& wanted, const WorkspaceHome& home) {
    for (const auto& compose : services) {
        if (compose.name == wanted) {
            found.push_back({compose, home});
        }
    }
}

// Removes a project this process just created when an older one of the same name won the race.
void remove_duplicate_project(dokploy::Client& client, const std::string& project_id) {
    try {
        client.remove_project(project_id);
        spdlog::debug("removed duplicate project {} created by a concurrent create", project_id);
    } catch (const core::Error& e) {
        spdlog::warn("could not remove duplicate empty project {}: {}", project_id, e.what());
    }
}

WorkspaceHome ensure_legacy_home(dokploy::Client& client, const Options& options) {
    auto projects = projects_named(client, options.project_name);
    if (!projects.empty()) {
        return {projects.front().project_id, {}};
    }
    const auto created = client.create_project(options.project_name, k_project_description);
    spdlog::info("created Dokploy project '{}'", options.project_name);
    projects = projects_named(client, options.project_name);
    const auto& winner = projects.empty() ? created.project : projects.front();
    if (winner.project_id != created.project.project_id) {
        remove_duplicate_project(client, created.project.project_id);
    }
    return {winner.project_id, {}};
}

}  // namespace

std::string service_name(std::string_view machine_id) { return "devpod-" + std::string(machine_id); }

std::optional<MachineRef> find_machine(dokploy::Client& client, const Options& options, std::string_view machine_id) {
    const auto wanted = service_name(machine_id);
    const auto legacy = client.layout() == dokploy::ApiLayout::legacy;
    std::vector<MachineRef> found;
    for (const auto& project : projects_named(client, options.project_name)) {
        if (legacy) {
            collect(found, project.compose, wanted, {project.project_id, {}});
            continue;
        }
        for (const auto& environment : environments_named(project, options.environment_name)) {
            collect(found, environment.compose, wanted, {project.project_id, environment.environment_id});
        }
    }
    if (found.empty()) {
        return std::nullopt;
    }
    if (found.size() > 1) {
        // project.all omits createdAt on current Dokploy; compose.one has it.
        for (auto& ref : found) {
            if (const auto full = client.find_compose(ref.compose.compose_id)) {
                ref.compose.created_at = full->created_at;
            }
        }
    }
    std::sort(found.begin(), found.end(), [](const MachineRef& a, const MachineRef& b) {
        return std::tie(a.compose.created_at, a.compose.compose_id) < std::tie(b.compose.created_at, b.compose.compose_id);
    });
    if (found.size() > 1) {
        spdlog::warn("{} compose services are named '{}'; using the oldest ({})", found.size(), wanted,
                     found.front().compose.compose_id);
    }
    return found.front();
}

WorkspaceHome ensure_home(dokploy::Client& client, const Options& options) {
    if (client.layout() == dokploy::ApiLayout::legacy) {
        return ensure_legacy_home(client, options);
    }
    auto projects = projects_named(client, options.project_name);
    std::string created_project_id;
    if (projects.empty()) {
        const auto created = client.create_project(options.project_name, k_project_description);
        created_project_id = created.project.project_id;
        spdlog::info("created Dokploy project '{}'", options.project_name);
        projects = projects_named(client, options.project_name);
        if (projects.empty()) {
            throw core::ApiError("project '" + options.project_name + "' was created but project.all does not list it",
                                 "project.all", 200);
        }
    }
    const auto& project = projects.front();
    if (!created_project_id.empty() && project.project_id != created_project_id) {
        remove_duplicate_project(client, created_project_id);
    }
    auto environments = environments_named(project, options.environment_name);
    if (environments.empty()) {
        (void)client.create_environment(project.project_id, options.environment_name);
        spdlog::info("created environment '{}' in project '{}'", options.environment_name, options.project_name);
        // Re-read so that racing creators converge on the oldest environment of that name.
        auto refreshed = client.environments(project.project_id);
        std::erase_if(refreshed, [&](const dokploy::Environment& e) { return e.name != options.environment_name; });
        sort_oldest_first(refreshed, [](const dokploy::Environment& e) -> const std::string& { return e.environment_id; });
        if (refreshed.empty()) {
            throw core::ApiError("environment '" + options.environment_name + "' was created but is not listed",
                                 "environment.byProjectId", 200);
        }
        return {project.project_id, refreshed.front().environment_id};
    }
    return {project.project_id, environments.front().environment_id};
}

}  // namespace dokploy_provider::provider
