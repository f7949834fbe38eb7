// SPDX-License-Identifier: MIT
#pragma once

#include <string_view>

namespace dokploy_provider::provider::templates {

// pkg/provider/templates/compose.yaml.tmpl: the workspace's Docker Compose file, with {{placeholders}}.
extern const std::string_view compose_yaml;
// pkg/provider/templates/setup.sh.tmpl: the container's start-up script (static: it takes no input).
extern const std::string_view setup_sh;

}  // namespace dokploy_provider::provider::templates
