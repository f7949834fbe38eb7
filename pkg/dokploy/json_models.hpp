// SPDX-License-Identifier: MIT
// Internal to pkg/dokploy: JSON decoding and encoding behind an nlohmann-free interface. Decoders take the
// raw body of a 2xx response and throw BodyError describing what is wrong; the Client turns that into a
// core::ApiError naming the procedure.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "pkg/dokploy/models.hpp"

namespace dokploy_provider::dokploy::detail {

// A 2xx body that is not what the procedure promises; what() says what is wrong ("missing field composeId
// at [0]", "not JSON", ...).
class BodyError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// project.all decoded, plus the layout its shape shows (nullopt when no project tells: empty list, or
// projects without service lists).
struct ProjectList {
    std::vector<Project> projects;
    std::optional<ApiLayout> shape;
};

// A JSON string body, as is; `what` names it in the BodyError ("expected a version string, got object").
[[nodiscard]] std::string decode_string(std::string_view body, std::string_view what = "a string");
// `text` without leading and trailing white space.
[[nodiscard]] std::string_view trimmed(std::string_view text);
[[nodiscard]] ProjectList decode_projects(std::string_view body);
[[nodiscard]] CreatedProject decode_created_project(std::string_view body);
[[nodiscard]] Environment decode_environment(std::string_view body);
// Items without a projectId of their own (nor a nested project's) belong to `project_id`, the one asked for.
[[nodiscard]] std::vector<Environment> decode_environments(std::string_view body, const std::string& project_id);
[[nodiscard]] Compose decode_compose(std::string_view body);
[[nodiscard]] std::vector<Server> decode_servers(std::string_view body);
[[nodiscard]] Server decode_server(std::string_view body);
[[nodiscard]] std::vector<Deployment> decode_deployments(std::string_view body);
[[nodiscard]] std::vector<Container> decode_containers(std::string_view body);

// Accepts a mutation's answer: empty, `true`, an object or anything JSON, except `false` or
// `{"success": false, ...}` (BodyError carrying Dokploy's message) and non-JSON text (BodyError).
void check_acknowledgement(std::string_view body);

// Dokploy's error body {message, code, issues?} (also tRPC's {error: {...}}) decoded defensively.
struct ErrorBody {
    bool is_json_object = false;
    std::string message;
    std::string code;                 // "NOT_FOUND", "UNAUTHORIZED", ...
    std::vector<std::string> issues;  // "composeId: Required"
};
[[nodiscard]] ErrorBody decode_error_body(std::string_view body);

// A flat JSON object of string and boolean members, in the given order.
using JsonValue = std::variant<std::string, bool>;
using JsonFields = std::vector<std::pair<std::string, JsonValue>>;
[[nodiscard]] std::string encode_object(const JsonFields& fields);

}  // namespace dokploy_provider::dokploy::detail
