// SPDX-License-Identifier: MIT
// Plain data as the provider uses it, decoded from Dokploy's JSON (see json_models.cpp). Strings that
// Dokploy sends as null or omits are empty; ids are never empty.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace dokploy_provider::dokploy {

// How Dokploy nests services: v0.25.0 and later under project -> environments[]; v0.22-v0.24 directly on
// the project (`compose.create` then takes `projectId`).
enum class ApiLayout { environments, legacy };

// A compose service as listed inside project.all / environment.byProjectId. project.all of current releases
// only sends composeId, name and composeStatus: app_name, server_id and created_at may be empty there
// (call Client::find_compose for the full record).
struct ComposeSummary {
    std::string compose_id, name, app_name, compose_status, server_id, created_at;
};

// An environment of a project (environments layout only). project_id is filled from the enclosing project
// when Dokploy leaves it out.
struct Environment {
    std::string environment_id, name, project_id, created_at;
    std::vector<ComposeSummary> compose;
    bool is_default = false;  // the "production" environment every new project gets
};

// A project. `environments` is filled for the environments layout, `compose` for the legacy layout.
struct Project {
    std::string project_id, name, created_at;
    std::vector<Environment> environments;
    std::vector<ComposeSummary> compose;  // legacy: services hang directly off the project
};

// A compose service as compose.one / compose.create return it. `compose_status` is idle | running (a
// deployment is in progress) | done (last deployment succeeded) | error (last deployment failed).
// `project_id` is known for the legacy layout, and for the environments layout when Dokploy includes the
// environment's project; `environment_id` is empty for the legacy layout.
struct Compose {
    std::string compose_id, name, app_name, compose_status, compose_file, env, source_type, compose_type, server_id,
        environment_id, project_id, created_at;
    std::string compose_path, description;
};

// A remote server registered in Dokploy; services with its serverId run there.
struct Server {
    std::string server_id, name, ip_address;
};

// One deployment of a compose; `status` is running | done | error | cancelled (empty when Dokploy sent
// null), `error_message` is empty unless it failed.
struct Deployment {
    std::string deployment_id, title, status, error_message, created_at;
    std::string finished_at;
};

// A Docker container of a compose service as docker.getContainersByAppNameMatch lists it; `state` is
// Docker's: running, exited, created, paused, restarting, dead.
struct Container {
    std::string container_id, name, state, status;
};

// What project.create returns: the project, plus its default environment on the environments layout.
struct CreatedProject {
    Project project;
    std::optional<Environment> environment;
};

// Input of Client::create_compose. Set environment_id for the environments layout, project_id for the
// legacy one (Client::layout() tells which). An empty app_name lets Dokploy derive one from the name.
struct NewCompose {
    std::string name, description, app_name, compose_type = "docker-compose";
    std::string environment_id;  // current layout
    std::string project_id;      // legacy layout
    std::optional<std::string> server_id;
};

// Input of Client::update_compose: only the fields that are set are sent.
struct ComposeUpdate {
    std::optional<std::string> compose_file, env, source_type, compose_path, description;
};

// Dokploy's version as settings.getDokployVersion reports it, e.g. text "v0.30.2".
struct ServerVersion {
    std::string text;
    int major = 0, minor = 0, patch = 0;
};

}  // namespace dokploy_provider::dokploy
