// SPDX-License-Identifier: MIT
#include "pkg/dokploy/client.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <tuple>
#include <utility>

#include "pkg/core/numbers.hpp"
#include "pkg/core/redact.hpp"
#include "pkg/dokploy/errors.hpp"
#include "pkg/dokploy/json_models.hpp"

namespace dokploy_provider::dokploy {
namespace {

using http::Idempotency;

constexpr std::tuple<int, int, int> k_oldest_supported{0, 22, 0};
constexpr std::tuple<int, int, int> k_first_with_environments{0, 25, 0};
constexpr std::size_t k_max_traced_body = 4096;

std::string_view layout_name(ApiLayout layout) {
    return layout == ApiLayout::environments ? "environments (v0.25+)" : "legacy (v0.22-v0.24)";
}

// RFC 3986 percent-encoding of a query component: everything but unreserved characters.
std::string percent_encode(std::string_view text) {
    static constexpr char k_hex[] = "0123456789ABCDEF";
    std::string result;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if ((byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') || (byte >= '0' && byte <= '9') || c == '-' ||
            c == '.' || c == '_' || c == '~') {
            result += c;
        } else {
            result += '%';
            result += k_hex[byte >> 4U];
            result += k_hex[byte & 0x0FU];
        }
    }
    return result;
}

std::string traced(std::string_view body) {
    auto text = core::redact(body.substr(0, k_max_traced_body));
    return body.size() > k_max_traced_body ? text + "...(" + std::to_string(body.size()) + " bytes)" : text;
}

// Runs a decoder on a 2xx response, turning its BodyError into an ApiError naming the procedure.
template <typename Decode>
auto decoded(std::string_view procedure, const http::Response& response, Decode decode) {
    try {
        return decode(response.body);
    } catch (const detail::BodyError& error) {
        throw detail::unexpected_body(procedure, response.status, error.what());
    }
}

// Throws ApiError for a Dokploy older than v0.22.0.
void require_supported(const ServerVersion& version) {
    if (std::tie(version.major, version.minor, version.patch) < k_oldest_supported) {
        throw core::ApiError("Dokploy " + version.text + " is older than the oldest supported v0.22.0; upgrade Dokploy",
                             "settings.getDokployVersion", 200);
    }
}

std::optional<int> number(std::string_view text) {
    const auto value = core::parse_int(text);
    return value && *value >= 0 ? value : std::nullopt;
}

// Takes the time of one exchange, however it ends, off an API time budget (when there is one).
class BudgetCharge {
public:
    BudgetCharge(std::optional<core::Millis>& time_left, http::Sleeper& clock)
        : m_time_left(time_left), m_clock(clock), m_start(clock.now()) {}
    BudgetCharge(const BudgetCharge&) = delete;
    BudgetCharge& operator=(const BudgetCharge&) = delete;
    ~BudgetCharge() {
        if (m_time_left) {
            const auto spent = std::chrono::duration_cast<core::Millis>(m_clock.now() - m_start);
            m_time_left = std::max(core::Millis(0), *m_time_left - spent);
        }
    }

private:
    std::optional<core::Millis>& m_time_left;
    http::Sleeper& m_clock;
    std::chrono::steady_clock::time_point m_start;
};

}  // namespace

std::optional<ServerVersion> parse_server_version(std::string_view text) {
    auto rest = text;
    if (rest.starts_with('v') || rest.starts_with('V')) {
        rest.remove_prefix(1);
    }
    rest = rest.substr(0, rest.find_first_of("-+ "));  // "-canary.1", "+build"
    int parts[3] = {0, 0, 0};
    int count = 0;
    while (true) {
        const auto dot = rest.find('.');
        const auto value = number(rest.substr(0, dot));
        if (!value || count == 3) {
            return std::nullopt;
        }
        parts[count++] = *value;
        if (dot == std::string_view::npos) {
            break;
        }
        rest.remove_prefix(dot + 1);
    }
    if (count < 2) {
        return std::nullopt;
    }
    return ServerVersion{std::string(text), parts[0], parts[1], parts[2]};
}

Client::Client(http::HttpClient& http, http::Url base, std::string token, http::RetryPolicy retry,
               http::Sleeper& sleeper)
    : m_http(http),
      m_base(std::move(base)),
      m_token(std::move(token)),
      m_retry(retry),
      m_sleeper(sleeper),
      m_random(http::make_unit_random()) {
    core::register_secret(m_token);
}

http::Response Client::exchange(http::Request request, std::string_view procedure, Idempotency idempotency,
                                int& attempts) {
    request.headers.emplace_back("x-api-key", m_token);
    request.headers.emplace_back("Accept", "application/json");
    if (request.method == "POST") {
        request.headers.emplace_back("Content-Type", "application/json");
        spdlog::trace("{} body: {}", procedure, traced(request.body));
    }
    const auto started = std::chrono::steady_clock::now();
    const auto deadline = m_time_left ? std::optional(m_sleeper.now() + *m_time_left) : std::nullopt;
    const BudgetCharge charge(m_time_left, m_sleeper);
    auto outcome = http::send_with_retry(m_http, m_sleeper, m_retry, request, idempotency, {"Dokploy", procedure},
                                         m_random, deadline);
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    spdlog::debug("{} {} -> {} ({}ms, {} attempt{})", request.method, procedure, outcome.response.status,
                  elapsed.count(), outcome.attempts, outcome.attempts == 1 ? "" : "s");
    spdlog::trace("{} answer: {}", procedure, traced(outcome.response.body));
    attempts = outcome.attempts;
    m_token_accepted = m_token_accepted || outcome.response.ok();
    return std::move(outcome.response);
}

http::Response Client::get(std::string_view procedure, const Query& query, Absent absent) {
    auto url = m_base.endpoint(procedure);
    for (std::size_t i = 0; i < query.size(); ++i) {
        url += (i == 0 ? "?" : "&") + percent_encode(query[i].first) + "=" + percent_encode(query[i].second);
    }
    int attempts = 1;
    auto response = exchange({"GET", std::move(url), {}, {}}, procedure, Idempotency::safe, attempts);
    const bool tolerated = (absent == Absent::resource && detail::is_missing_resource(response)) ||
                           (absent == Absent::resource_or_procedure && response.status == 404);
    if (!response.ok() && !tolerated) {
        throw detail::status_error(procedure, m_base, response, {attempts, m_token_accepted});
    }
    return response;
}

http::Response Client::post(std::string_view procedure, std::string body, Idempotency idempotency) {
    m_projects.reset();  // whatever it changes, the next look-up reads project.all again
    int attempts = 1;
    auto response =
        exchange({"POST", m_base.endpoint(procedure), {}, std::move(body)}, procedure, idempotency, attempts);
    if (!response.ok()) {
        throw detail::status_error(procedure, m_base, response, {attempts, m_token_accepted});
    }
    return response;
}

http::Response Client::mutate(std::string_view procedure, std::string body) {
    auto response = post(procedure, std::move(body), Idempotency::only_if_not_delivered);
    decoded(procedure, response, [](std::string_view text) {
        detail::check_acknowledgement(text);
        return 0;
    });
    return response;
}

std::string Client::version_text() {
    const auto response = get("settings.getDokployVersion", {});
    return decoded("settings.getDokployVersion", response, [](std::string_view body) {
        return std::string(detail::trimmed(detail::decode_string(body, "a version string")));
    });
}

ServerVersion Client::version() {
    const auto text = version_text();
    const auto version = parse_server_version(text);
    if (!version) {
        throw detail::unexpected_body("settings.getDokployVersion", 200, "'" + text + "' is not a version number");
    }
    require_supported(*version);
    m_version = version;
    return *version;
}

void Client::assume_layout(ApiLayout layout) {
    if (!m_layout) {
        m_layout = layout;
        m_layout_assumed = true;
        spdlog::debug("Dokploy at {}: {} API layout (remembered from an earlier call)", m_base.authority(),
                      layout_name(layout));
    }
}

ApiLayout Client::layout() {
    if (m_layout) {
        return *m_layout;
    }
    std::string unknown_because;
    try {
        const auto text = m_version ? m_version->text : version_text();
        if (const auto v = parse_server_version(text)) {
            require_supported(*v);
            m_layout = std::tie(v->major, v->minor, v->patch) >= k_first_with_environments ? ApiLayout::environments
                                                                                           : ApiLayout::legacy;
            spdlog::debug("Dokploy {} at {}: {} API layout", v->text, m_base.authority(), layout_name(*m_layout));
        } else {
            unknown_because = "its version '" + text + "' is not a version number";
        }
    } catch (const core::ApiError& error) {
        if (error.http_status() != 404 && error.http_status() / 100 != 2) {
            throw;  // 401, 403, 5xx: a real failure, not an unreadable version
        }
        unknown_because = error.what();
    }
    if (!m_layout) {
        std::ignore = projects();  // records the shape, if any project shows one
        if (!m_observed_shape) {
            throw core::ApiError("cannot tell which API layout Dokploy at " + m_base.authority() +
                                     " uses: " + unknown_because + "; and project.all has no project that shows it",
                                 "settings.getDokployVersion", 0);
        }
        m_layout = m_observed_shape;
        spdlog::debug("Dokploy at {}: {} API layout (from project.all's shape)", m_base.authority(),
                      layout_name(*m_layout));
    } else if (m_observed_shape && *m_observed_shape != *m_layout) {
        adopt_shape(*m_observed_shape);
    }
    return *m_layout;
}

void Client::adopt_shape(ApiLayout shape) {
    if (m_layout_assumed) {
        spdlog::info("Dokploy at {} now has the {} API layout (was {}: upgraded?)", m_base.authority(),
                     layout_name(shape), layout_name(*m_layout));
    } else {
        spdlog::warn(
            "Dokploy at {} reports a version with the {} API layout, but project.all has the {} shape; "
            "following project.all",
            m_base.authority(), layout_name(*m_layout), layout_name(shape));
    }
    m_layout = shape;
    m_layout_assumed = false;
}

void Client::require_environments(std::string_view procedure) {
    if (layout() != ApiLayout::environments) {
        throw core::ApiError(std::string(procedure) + " needs Dokploy v0.25.0 or newer (environments); " +
                                 m_base.authority() + " runs an older Dokploy",
                             std::string(procedure), 0);
    }
}

std::vector<Project> Client::projects() {
    if (m_projects) {
        return *m_projects;
    }
    const auto response = get("project.all", {});
    auto list = decoded("project.all", response, detail::decode_projects);
    if (list.shape) {
        m_observed_shape = list.shape;
        if (m_layout && *m_layout != *list.shape) {
            adopt_shape(*list.shape);
        }
    }
    m_projects = std::move(list.projects);
    return *m_projects;
}

CreatedProject Client::create_project(const std::string& name, const std::string& description) {
    const auto body = detail::encode_object({{"name", name}, {"description", description}});
    const auto response = post("project.create", body, Idempotency::only_if_not_delivered);
    return decoded("project.create", response, detail::decode_created_project);
}

void Client::remove_project(const std::string& project_id) {
    mutate("project.remove", detail::encode_object({{"projectId", project_id}}));
}

Environment Client::create_environment(const std::string& project_id, const std::string& name) {
    require_environments("environment.create");
    const auto body = detail::encode_object({{"name", name}, {"projectId", project_id}, {"description", ""}});
    const auto response = post("environment.create", body, Idempotency::only_if_not_delivered);
    return decoded("environment.create", response, detail::decode_environment);
}

std::vector<Environment> Client::environments(const std::string& project_id) {
    require_environments("environment.byProjectId");
    const auto response = get("environment.byProjectId", {{"projectId", project_id}});
    return decoded("environment.byProjectId", response,
                   [&](std::string_view body) { return detail::decode_environments(body, project_id); });
}

Compose Client::create_compose(const NewCompose& spec) {
    const bool assumed = m_layout_assumed;
    try {
        return create_compose_as(spec, layout());
    } catch (const core::ApiError& error) {
        // Input validation refused the layout's id field: the remembered layout may be out of date.
        if (!assumed || error.http_status() != 400) {
            throw;
        }
        const auto remembered = *m_layout;
        m_layout.reset();
        m_layout_assumed = false;
        if (layout() == remembered) {
            throw;
        }
        spdlog::info("Dokploy at {} now has the {} API layout (was {}: upgraded?)", m_base.authority(),
                     layout_name(*m_layout), layout_name(remembered));
        return create_compose_as(spec, *m_layout);
    }
}

Compose Client::create_compose_as(const NewCompose& spec, ApiLayout layout) {
    detail::JsonFields fields{{"name", spec.name}, {"description", spec.description}};
    if (layout == ApiLayout::environments) {
        if (spec.environment_id.empty()) {
            throw core::Error("create_compose needs an environment_id on Dokploy v0.25+ (environments layout)");
        }
        fields.emplace_back("environmentId", spec.environment_id);
    } else {
        if (spec.project_id.empty()) {
            throw core::Error("create_compose needs a project_id on Dokploy before v0.25 (legacy layout)");
        }
        fields.emplace_back("projectId", spec.project_id);
    }
    fields.emplace_back("composeType", spec.compose_type);
    if (!spec.app_name.empty()) {
        fields.emplace_back("appName", spec.app_name);
    }
    if (spec.server_id) {
        fields.emplace_back("serverId", *spec.server_id);
    }
    const auto response = post("compose.create", detail::encode_object(fields), Idempotency::only_if_not_delivered);
    return decoded("compose.create", response, detail::decode_compose);
}

std::optional<Compose> Client::find_compose(const std::string& compose_id) {
    const auto response = get("compose.one", {{"composeId", compose_id}}, Absent::resource);
    if (!response.ok()) {
        return std::nullopt;
    }
    return decoded("compose.one", response, detail::decode_compose);
}

void Client::update_compose(const std::string& compose_id, const ComposeUpdate& update) {
    detail::JsonFields fields{{"composeId", compose_id}};
    const auto add = [&fields](const char* name, const std::optional<std::string>& value) {
        if (value) {
            fields.emplace_back(name, *value);
        }
    };
    add("composeFile", update.compose_file);
    add("env", update.env);
    add("sourceType", update.source_type);
    add("composePath", update.compose_path);
    add("description", update.description);
    const auto response = mutate("compose.update", detail::encode_object(fields));
    // Dokploy answers the updated compose; for an id it does not know, 200 with an empty body (v0.30.2).
    if (response.body.find_first_not_of(" \t\r\n") == std::string::npos) {
        throw core::ApiError("compose.update: the compose service " + compose_id +
                                 " does not exist in Dokploy (it answered 200 with an empty body)",
                             "compose.update", 404, "NOT_FOUND");
    }
}

void Client::deploy_compose(const std::string& compose_id, const std::string& title) {
    mutate("compose.deploy", detail::encode_object({{"composeId", compose_id}, {"title", title}}));
}

void Client::start_compose(const std::string& compose_id) {
    mutate("compose.start", detail::encode_object({{"composeId", compose_id}}));
}

void Client::stop_compose(const std::string& compose_id) {
    mutate("compose.stop", detail::encode_object({{"composeId", compose_id}}));
}

void Client::delete_compose(const std::string& compose_id, bool delete_volumes) {
    mutate("compose.delete", detail::encode_object({{"composeId", compose_id}, {"deleteVolumes", delete_volumes}}));
}

std::vector<Server> Client::servers() {
    const auto response = get("server.all", {});
    return decoded("server.all", response, detail::decode_servers);
}

std::optional<Server> Client::find_server(const std::string& server_id) {
    const auto response = get("server.one", {{"serverId", server_id}}, Absent::resource);
    if (!response.ok()) {
        return std::nullopt;
    }
    return decoded("server.one", response, detail::decode_server);
}

std::vector<Deployment> Client::deployments(const std::string& compose_id) {
    const auto response = get("deployment.allByCompose", {{"composeId", compose_id}});
    return decoded("deployment.allByCompose", response, detail::decode_deployments);
}

std::optional<std::string> Client::deployment_log(const std::string& deployment_id, int tail) {
    const auto response = get("deployment.readLogs", {{"deploymentId", deployment_id}, {"tail", std::to_string(tail)}},
                              Absent::resource_or_procedure);
    if (!response.ok()) {
        return std::nullopt;
    }
    return decoded("deployment.readLogs", response,
                   [](std::string_view body) { return detail::decode_string(body, "the log as a string"); });
}

std::optional<std::string> Client::container_log(const std::string& compose_id, const std::string& container_id,
                                                 int tail) {
    const auto response = get(
        "compose.readLogs", {{"composeId", compose_id}, {"containerId", container_id}, {"tail", std::to_string(tail)}},
        Absent::resource_or_procedure);
    if (!response.ok()) {
        return std::nullopt;
    }
    return decoded("compose.readLogs", response,
                   [](std::string_view body) { return detail::decode_string(body, "the log as a string"); });
}

std::optional<std::vector<Container>> Client::containers(const std::string& app_name,
                                                         const std::optional<std::string>& server_id) {
    Query query{{"appName", app_name}, {"appType", "docker-compose"}};
    if (server_id) {
        query.emplace_back("serverId", *server_id);
    }
    const auto response = get("docker.getContainersByAppNameMatch", query, Absent::resource_or_procedure);
    if (!response.ok()) {
        return std::nullopt;
    }
    return decoded("docker.getContainersByAppNameMatch", response, detail::decode_containers);
}

}  // namespace dokploy_provider::dokploy
