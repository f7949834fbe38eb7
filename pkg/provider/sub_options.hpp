// SPDX-License-Identifier: MIT
// What `dokploy-provider options` prints for DevPod's subOptionsCommand: the placement options with choices
// taken from the Dokploy server (its remote servers as an enum, its projects and environments as suggestions).
#pragma once

#include <string>
#include <vector>

#include "pkg/dokploy/models.hpp"

namespace dokploy_provider::provider {

// The sub options as DevPod reads them (YAML; JSON is YAML): {"options": {NAME: {displayName, description,
// default, enum | suggestions}}} for DOKPLOY_SERVER_ID, DOKPLOY_PROJECT_NAME and DOKPLOY_ENVIRONMENT_NAME. The
// manifest does not define these three itself: DevPod keeps and shows a sub option only then.
[[nodiscard]] std::string render_sub_options(const std::vector<dokploy::Server>& servers,
                                             const std::vector<dokploy::Project>& projects);

// What to print when the choices cannot be had (a failing command would abort provider add): the same options
// without choices, so that they can still be set.
[[nodiscard]] std::string sub_options_without_choices();

}  // namespace dokploy_provider::provider
