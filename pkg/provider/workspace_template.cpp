// SPDX-License-Identifier: MIT
#include "pkg/provider/workspace_template.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>

#include "pkg/core/build_info.hpp"
#include "pkg/provider/templates.hpp"

namespace dokploy_provider::provider {
namespace {

// Replaces the one occurrence of {{name}} in `text`; a missing placeholder is a programming error.
void fill(std::string& text, std::string_view name, std::string_view value) {
    const auto placeholder = "{{" + std::string(name) + "}}";
    const auto pos = text.find(placeholder);
    if (pos == std::string::npos) {
        throw std::logic_error("template placeholder " + placeholder + " is missing");
    }
    text.replace(pos, placeholder.size(), value);
}

std::string resource_limits(const WorkspaceSpec& spec) {
    std::string lines;
    if (spec.cpus) {
        lines += "    cpus: " + compose_scalar(*spec.cpus) + "\n";
    }
    if (spec.memory) {
        lines += "    mem_limit: " + compose_scalar(*spec.memory) + "\n";
    }
    if (spec.gpus) {
        // Compose wants `count` as an integer or the word all; the option allows nothing else (options.cpp).
        lines += "    deploy:\n      resources:\n        reservations:\n          devices:\n";
        lines += "            - driver: \"nvidia\"\n              count: " + *spec.gpus + "\n";
        lines += "              capabilities: [\"gpu\"]\n";
    }
    return lines;
}

}  // namespace

std::string compose_scalar(std::string_view value) {
    // JSON strings are valid YAML double-quoted scalars; ensure_ascii keeps the file plain ASCII.
    const auto quoted = nlohmann::json(std::string(value)).dump(-1, ' ', true);
    std::string result;
    result.reserve(quoted.size());
    for (const char c : quoted) {
        result += c;
        if (c == '$') {
            result += '$';
        }
    }
    return result;
}

std::string render_compose_file(const WorkspaceSpec& spec) {
    std::string text(templates::compose_yaml);
    fill(text, "version", core::k_version);
    fill(text, "machine_id_comment", compose_scalar(spec.machine_id));
    fill(text, "image", compose_scalar(spec.image));
    fill(text, "hostname", compose_scalar(spec.machine_id));
    fill(text, "setup_script", compose_scalar(templates::setup_sh));
    fill(text, "ssh_port_mapping", compose_scalar(std::to_string(spec.ssh_port) + ":22"));
    fill(text, "ssh_authorized_keys", compose_scalar(spec.authorized_keys));
    fill(text, "ssh_host_key", compose_scalar(spec.host_key_base64));
    fill(text, "resource_limits", resource_limits(spec));
    return text;
}

}  // namespace dokploy_provider::provider
