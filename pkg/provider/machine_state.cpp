// SPDX-License-Identifier: MIT
#include "pkg/provider/machine_state.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "pkg/core/errors.hpp"
#include "pkg/core/files.hpp"

namespace dokploy_provider::provider {
namespace {

constexpr int k_state_version = 1;

std::optional<dokploy::ApiLayout> layout_named(const std::string& name) {
    if (name == "environments") {
        return dokploy::ApiLayout::environments;
    }
    if (name == "legacy") {
        return dokploy::ApiLayout::legacy;
    }
    return std::nullopt;
}

std::string name_of(const std::optional<dokploy::ApiLayout>& layout) {
    if (!layout) {
        return "";
    }
    return *layout == dokploy::ApiLayout::environments ? "environments" : "legacy";
}

}  // namespace

std::optional<MachineState> read_machine_state(const MachinePaths& paths) {
    const auto file = paths.state_file();
    std::ifstream in(file);
    if (!in) {
        return std::nullopt;
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    try {
        const auto json = nlohmann::json::parse(buffer.str());
        MachineState state;
        state.machine_id = json.at("machineId").get<std::string>();
        state.compose_id = json.at("composeId").get<std::string>();
        state.app_name = json.value("appName", "");
        state.project_id = json.at("projectId").get<std::string>();
        state.environment_id = json.value("environmentId", "");
        state.ssh_host = json.at("sshHost").get<std::string>();
        state.ssh_port = json.at("sshPort").get<int>();
        state.ssh_user = json.value("sshUser", "root");
        state.last_start_at = json.value("lastStartAt", "");
        if (const auto layout = json.find("apiLayout"); layout != json.end() && layout->is_string()) {
            state.api_layout = layout_named(layout->get<std::string>());
        }
        if (state.compose_id.empty() || state.ssh_host.empty() || state.ssh_port < 1 || state.ssh_port > 65535) {
            throw core::Error("missing ids or an invalid port");
        }
        return state;
    } catch (const std::exception& e) {
        throw core::Error("machine state file " + file.string() + " is corrupt (" + e.what() +
                          "); delete it and run create again to recover it from Dokploy");
    }
}

void write_machine_state(const MachinePaths& paths, const MachineState& state) {
    const nlohmann::json json{
        {"version", k_state_version},
        {"machineId", state.machine_id},
        {"composeId", state.compose_id},
        {"appName", state.app_name},
        {"projectId", state.project_id},
        {"environmentId", state.environment_id},
        {"sshHost", state.ssh_host},
        {"sshPort", state.ssh_port},
        {"sshUser", state.ssh_user},
        {"lastStartAt", state.last_start_at},
        {"apiLayout", name_of(state.api_layout)},
    };
    core::write_file_atomically(paths.state_file(), json.dump(2) + "\n", core::FileMode::owner_only);
}

}  // namespace dokploy_provider::provider
