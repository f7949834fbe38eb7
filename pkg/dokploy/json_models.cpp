// SPDX-License-Identifier: MIT
// The only translation unit (with errors.cpp through decode_error_body) that sees nlohmann::json. Every
// decoder checks presence and type of each field it reads and reports the first problem as a BodyError.
#include "pkg/dokploy/json_models.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace dokploy_provider::dokploy::detail {
namespace {

using nlohmann::json;

std::string at(const std::string& where) {
    return where.empty() ? std::string() : " at " + where;
}

json parse(std::string_view body) {
    const auto text = trimmed(body);
    if (text.empty()) {
        throw BodyError("the body is empty");
    }
    auto value = json::parse(text.begin(), text.end(), nullptr, false);
    if (value.is_discarded()) {
        throw BodyError(text.front() == '<' ? "it is HTML, not JSON" : "it is not valid JSON (cut off?)");
    }
    return value;
}

const json& object(const json& value, const std::string& where) {
    if (!value.is_object()) {
        throw BodyError(std::string("expected an object") + at(where) + ", got " + value.type_name());
    }
    return value;
}

const json& array(const json& value, const std::string& where) {
    if (!value.is_array()) {
        throw BodyError(std::string("expected an array") + at(where) + ", got " + value.type_name());
    }
    return value;
}

// A string member; absent or null gives "" unless `required`.
std::string string_field(const json& obj, const char* field, const std::string& where, bool required) {
    const auto it = obj.find(field);
    if (it == obj.end() || it->is_null()) {
        if (required) {
            throw BodyError(std::string("missing field ") + field + at(where));
        }
        return {};
    }
    if (!it->is_string()) {
        throw BodyError(std::string("field ") + field + at(where) + " is a " + it->type_name() + ", not a string");
    }
    return it->get<std::string>();
}

std::string optional_string(const json& obj, const char* field, const std::string& where) {
    return string_field(obj, field, where, false);
}

std::string required_string(const json& obj, const char* field, const std::string& where) {
    return string_field(obj, field, where, true);
}

// A required, non-empty string: ids are never returned empty.
std::string required_id(const json& obj, const char* field, const std::string& where) {
    auto value = string_field(obj, field, where, true);
    if (value.empty()) {
        throw BodyError(std::string("field ") + field + at(where) + " is empty");
    }
    return value;
}

// An optional array member (absent or null: no elements).
const json* optional_array(const json& obj, const char* field, const std::string& where) {
    const auto it = obj.find(field);
    if (it == obj.end() || it->is_null()) {
        return nullptr;
    }
    return &array(*it, where + "." + field);
}

std::string index_path(const std::string& where, std::size_t index) {
    return where + "[" + std::to_string(index) + "]";
}

ComposeSummary compose_summary(const json& value, const std::string& where) {
    const auto& obj = object(value, where);
    return {required_id(obj, "composeId", where),    required_string(obj, "name", where),
            optional_string(obj, "appName", where),  optional_string(obj, "composeStatus", where),
            optional_string(obj, "serverId", where), optional_string(obj, "createdAt", where)};
}

std::vector<ComposeSummary> compose_list(const json& obj, const std::string& where) {
    std::vector<ComposeSummary> result;
    if (const auto* list = optional_array(obj, "compose", where)) {
        for (std::size_t i = 0; i < list->size(); ++i) {
            result.push_back(compose_summary((*list)[i], index_path(where + ".compose", i)));
        }
    }
    return result;
}

Environment environment(const json& value, const std::string& where, const std::string& project_id) {
    const auto& obj = object(value, where);
    Environment result;
    result.environment_id = required_id(obj, "environmentId", where);
    result.name = required_string(obj, "name", where);
    // environment.create answers a flat projectId; environment.byProjectId (v0.28.3+) only a nested project;
    // project.all neither (the enclosing project tells).
    result.project_id = optional_string(obj, "projectId", where);
    if (const auto nested = obj.find("project");
        result.project_id.empty() && nested != obj.end() && nested->is_object()) {
        result.project_id = optional_string(*nested, "projectId", where + ".project");
    }
    if (result.project_id.empty()) {
        if (project_id.empty()) {
            throw BodyError("missing field projectId" + at(where));
        }
        result.project_id = project_id;
    }
    result.created_at = optional_string(obj, "createdAt", where);
    if (const auto it = obj.find("isDefault"); it != obj.end() && it->is_boolean()) {
        result.is_default = it->get<bool>();
    }
    result.compose = compose_list(obj, where);
    return result;
}

Project project(const json& value, const std::string& where) {
    const auto& obj = object(value, where);
    Project result;
    result.project_id = required_id(obj, "projectId", where);
    result.name = required_string(obj, "name", where);
    result.created_at = optional_string(obj, "createdAt", where);
    if (const auto* list = optional_array(obj, "environments", where)) {
        for (std::size_t i = 0; i < list->size(); ++i) {
            result.environments.push_back(
                environment((*list)[i], index_path(where + ".environments", i), result.project_id));
        }
    }
    result.compose = compose_list(obj, where);
    return result;
}

Compose compose(const json& value) {
    const std::string where;
    const auto& obj = object(value, where);
    Compose result;
    result.compose_id = required_id(obj, "composeId", where);
    result.name = required_string(obj, "name", where);
    result.app_name = required_id(obj, "appName", where);
    result.compose_status = required_string(obj, "composeStatus", where);
    result.compose_file = optional_string(obj, "composeFile", where);
    result.env = optional_string(obj, "env", where);
    result.source_type = optional_string(obj, "sourceType", where);
    result.compose_type = optional_string(obj, "composeType", where);
    result.server_id = optional_string(obj, "serverId", where);
    result.environment_id = optional_string(obj, "environmentId", where);
    result.project_id = optional_string(obj, "projectId", where);
    result.created_at = optional_string(obj, "createdAt", where);
    result.compose_path = optional_string(obj, "composePath", where);
    result.description = optional_string(obj, "description", where);
    if (const auto env = obj.find("environment"); result.project_id.empty() && env != obj.end() && env->is_object()) {
        result.project_id = optional_string(*env, "projectId", "environment");
        if (const auto proj = env->find("project");
            result.project_id.empty() && proj != env->end() && proj->is_object()) {
            result.project_id = optional_string(*proj, "projectId", "environment.project");
        }
    }
    if (result.environment_id.empty() && result.project_id.empty()) {
        throw BodyError("missing field environmentId (or projectId on Dokploy before v0.25)");
    }
    return result;
}

Server server(const json& value, const std::string& where) {
    const auto& obj = object(value, where);
    return {required_id(obj, "serverId", where), required_string(obj, "name", where),
            required_id(obj, "ipAddress", where)};
}

Deployment deployment(const json& value, const std::string& where) {
    const auto& obj = object(value, where);
    Deployment result;
    result.deployment_id = required_id(obj, "deploymentId", where);
    result.title = required_string(obj, "title", where);
    result.status = optional_string(obj, "status", where);
    result.error_message = optional_string(obj, "errorMessage", where);
    result.created_at = required_string(obj, "createdAt", where);
    result.finished_at = optional_string(obj, "finishedAt", where);
    return result;
}

template <typename Item, typename Decode>
std::vector<Item> list_of(std::string_view body, Decode decode) {
    const auto value = parse(body);
    const auto& list = array(value, "");
    std::vector<Item> result;
    result.reserve(list.size());
    for (std::size_t i = 0; i < list.size(); ++i) {
        result.push_back(decode(list[i], index_path("", i)));
    }
    return result;
}

// Runs a decoder, turning any nlohmann exception (which the checks above should already prevent) into a
// BodyError so that nothing escapes pkg/dokploy as a JSON exception.
template <typename Function>
auto guarded(Function function) -> decltype(function()) {
    try {
        return function();
    } catch (const json::exception& error) {
        throw BodyError(std::string("it could not be decoded: ") + error.what());
    }
}

}  // namespace

std::string_view trimmed(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0) {
        text.remove_prefix(1);
    }
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0) {
        text.remove_suffix(1);
    }
    return text;
}

std::string decode_string(std::string_view body, std::string_view what) {
    return guarded([&] {
        const auto value = parse(body);
        if (!value.is_string()) {
            throw BodyError("expected " + std::string(what) + ", got " + value.type_name());
        }
        return value.get<std::string>();
    });
}

ProjectList decode_projects(std::string_view body) {
    return guarded([&] {
        const auto value = parse(body);
        const auto& list = array(value, "");
        ProjectList result;
        for (std::size_t i = 0; i < list.size(); ++i) {
            result.projects.push_back(project(list[i], index_path("", i)));
            if (!result.shape && list[i].contains("environments")) {
                result.shape = ApiLayout::environments;
            } else if (!result.shape && (list[i].contains("compose") || list[i].contains("applications"))) {
                result.shape = ApiLayout::legacy;
            }
        }
        return result;
    });
}

CreatedProject decode_created_project(std::string_view body) {
    return guarded([&] {
        const auto value = parse(body);
        const auto& obj = object(value, "");
        CreatedProject result;
        if (const auto nested = obj.find("project"); nested != obj.end() && nested->is_object()) {
            result.project = project(*nested, "project");
            if (const auto env = obj.find("environment"); env != obj.end() && !env->is_null()) {
                result.environment = environment(*env, "environment", result.project.project_id);
            }
        } else {
            result.project = project(obj, "");  // legacy: the bare project
        }
        return result;
    });
}

Environment decode_environment(std::string_view body) {
    return guarded([&] { return environment(parse(body), "", ""); });
}

std::vector<Environment> decode_environments(std::string_view body, const std::string& project_id) {
    return guarded([&] {
        return list_of<Environment>(
            body, [&](const json& v, const std::string& w) { return environment(v, w, project_id); });
    });
}

Compose decode_compose(std::string_view body) {
    return guarded([&] { return compose(parse(body)); });
}

std::vector<Server> decode_servers(std::string_view body) {
    return guarded([&] { return list_of<Server>(body, server); });
}

Server decode_server(std::string_view body) {
    return guarded([&] { return server(parse(body), ""); });
}

std::vector<Deployment> decode_deployments(std::string_view body) {
    return guarded([&] {
        auto result = list_of<Deployment>(body, deployment);
        std::stable_sort(result.begin(), result.end(),
                         [](const Deployment& a, const Deployment& b) { return a.created_at > b.created_at; });
        return result;
    });
}

std::vector<Container> decode_containers(std::string_view body) {
    return guarded([&] {
        return list_of<Container>(body, [](const json& value, const std::string& where) {
            const auto& obj = object(value, where);
            return Container{optional_string(obj, "containerId", where), optional_string(obj, "name", where),
                             required_string(obj, "state", where), optional_string(obj, "status", where)};
        });
    });
}

void check_acknowledgement(std::string_view body) {
    if (trimmed(body).empty()) {
        return;
    }
    guarded([&] {
        const auto value = parse(body);
        const auto refused = [](const std::string& message) {
            throw BodyError("Dokploy reported failure" + (message.empty() ? std::string() : ": " + message));
        };
        if (value.is_boolean() && !value.get<bool>()) {
            refused({});
        }
        if (value.is_object()) {
            if (const auto it = value.find("success"); it != value.end() && it->is_boolean() && !it->get<bool>()) {
                const auto message = value.find("message");
                refused(message != value.end() && message->is_string() ? message->get<std::string>() : "");
            }
        }
        return 0;
    });
}

ErrorBody decode_error_body(std::string_view body) {
    ErrorBody result;
    const auto text = trimmed(body);
    auto value = json::parse(text.begin(), text.end(), nullptr, false);
    if (value.is_discarded() || !value.is_object()) {
        return result;
    }
    result.is_json_object = true;
    const json* error = &value;
    if (const auto nested = value.find("error"); nested != value.end() && nested->is_object()) {
        error = &*nested;  // plain tRPC: {"error": {"message", "code": -32004, "data": {"code": "NOT_FOUND"}}}
    }
    const auto text_of = [](const json& obj, const char* field) {
        const auto it = obj.find(field);
        return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    result.message = text_of(*error, "message");
    result.code = text_of(*error, "code");
    if (const auto data = error->find("data"); result.code.empty() && data != error->end() && data->is_object()) {
        result.code = text_of(*data, "code");
    }
    if (const auto issues = error->find("issues"); issues != error->end() && issues->is_array()) {
        for (const auto& issue : *issues) {
            if (!issue.is_object()) {
                continue;
            }
            std::string path;
            if (const auto p = issue.find("path"); p != issue.end() && p->is_array()) {
                for (const auto& part : *p) {
                    path += (path.empty() ? "" : ".") + (part.is_string() ? part.get<std::string>() : part.dump());
                }
            }
            if (!path.empty()) {
                path += ": ";
            }
            result.issues.push_back(path.append(text_of(issue, "message")));
        }
    }
    return result;
}

std::string encode_object(const JsonFields& fields) {
    nlohmann::ordered_json object = nlohmann::ordered_json::object();
    for (const auto& [name, value] : fields) {
        std::visit([&, &key = name](const auto& v) { object[key] = v; }, value);
    }
    return object.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace dokploy_provider::dokploy::detail
