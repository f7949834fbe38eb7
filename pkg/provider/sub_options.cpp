// SPDX-License-Identifier: MIT
#include "pkg/provider/sub_options.hpp"

#include <nlohmann/json.hpp>

#include <set>

namespace dokploy_provider::provider {
namespace {

using nlohmann::ordered_json;

// The manifest's descriptions and defaults (provider.yaml; test_provider_yaml.py checks they agree).
constexpr const char* k_server_description =
    "Id of a Dokploy remote server to run machines on (empty: the Dokploy host; required on Dokploy Cloud)";
constexpr const char* k_project_description = "Dokploy project that holds the machines (created if missing)";
constexpr const char* k_environment_description = "Environment of that project (Dokploy v0.25+; created if missing)";
constexpr const char* k_default_project = "devpod-workspaces";
constexpr const char* k_default_environment = "production";

ordered_json suggestions(const std::set<std::string>& names, const std::string& first) {
    ordered_json list = ordered_json::array({first});
    for (const auto& name : names) {
        if (name != first) {
            list.push_back(name);
        }
    }
    return list;
}

std::string dump(const ordered_json& value) {
    return value.dump(2, ' ', false, ordered_json::error_handler_t::replace) + "\n";
}

// The three options, with choices where `choices` has them.
struct Choices {
    ordered_json servers = ordered_json::array();
    std::set<std::string> projects;
    std::set<std::string> environments;
};

std::string render(const Choices* choices) {
    ordered_json options = ordered_json::object();
    ordered_json server = {{"displayName", "Server"}, {"description", k_server_description}, {"default", ""}};
    ordered_json project = {
        {"displayName", "Project"}, {"description", k_project_description}, {"default", k_default_project}};
    ordered_json environment = {{"displayName", "Environment"},
                                {"description", k_environment_description},
                                {"default", k_default_environment}};
    if (choices != nullptr) {
        server["enum"] = choices->servers;
        project["suggestions"] = suggestions(choices->projects, k_default_project);
        environment["suggestions"] = suggestions(choices->environments, k_default_environment);
    }
    options["DOKPLOY_SERVER_ID"] = server;
    options["DOKPLOY_PROJECT_NAME"] = project;
    options["DOKPLOY_ENVIRONMENT_NAME"] = environment;
    return dump({{"options", options}});
}

}  // namespace

std::string render_sub_options(const std::vector<dokploy::Server>& servers,
                               const std::vector<dokploy::Project>& projects) {
    Choices choices;
    choices.servers.push_back({{"value", ""}, {"displayName", "the Dokploy host"}});
    for (const auto& server : servers) {
        choices.servers.push_back(
            {{"value", server.server_id}, {"displayName", server.name + " (" + server.ip_address + ")"}});
    }
    for (const auto& project : projects) {
        choices.projects.insert(project.name);
        for (const auto& environment : project.environments) {
            choices.environments.insert(environment.name);
        }
    }
    return render(&choices);
}

std::string sub_options_without_choices() { return render(nullptr); }

}  // namespace dokploy_provider::provider
