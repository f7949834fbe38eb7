// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pkg/dokploy/models.hpp"
#include "pkg/http/http_client.hpp"
#include "pkg/http/retry.hpp"
#include "pkg/http/sleeper.hpp"
#include "pkg/http/url.hpp"

namespace dokploy_provider::dokploy {

// Parses "v0.30.2", "0.30.2", "v0.25.0-canary.1" or "v0.26" (patch 0). std::nullopt for anything else.
[[nodiscard]] std::optional<ServerVersion> parse_server_version(std::string_view text);

// Typed client for Dokploy's REST API (tRPC procedures under <base>/api/<router>.<procedure>).
// Every call sends `x-api-key`, retries under the RetryPolicy as http::Idempotency allows (reads always,
// mutations only when the failure proves the request was not processed), and throws:
// - core::TransportError (http::SendError) when Dokploy could not be reached,
// - core::ApiError for any non-2xx answer and for a 2xx body that is not what the procedure promises.
// Messages never contain the token (it is registered with core::register_secret).
class Client {
public:
    Client(http::HttpClient& http, http::Url base, std::string token, http::RetryPolicy retry, http::Sleeper& sleeper);

    // From now on, all requests of this client together (attempts, retries and their waits, not the time
    // between requests) take at most `budget`: a bound on a whole subcommand's API work. A request with no
    // time left throws core::TransportError.
    void limit_api_time(core::Millis budget) { m_time_left = budget; }

    // settings.getDokployVersion (authenticated, so it also proves the token). Throws ApiError when the
    // version is not a version number or is older than v0.22.0.
    [[nodiscard]] ServerVersion version();

    // The API layout, detected once and cached: from the version (>= v0.25.0: environments; reuses what
    // version() fetched), or, when the version does not tell, from project.all's shape. A later project.all whose shape
    // contradicts it wins (logged as a warning). Throws ApiError when nothing tells.
    [[nodiscard]] ApiLayout layout();

    // Takes the layout a machine's state file remembers instead of asking Dokploy (no request). When it
    // proves wrong (the server was upgraded), the client learns it again: project.all's shape overrides it,
    // and a compose.create refused with 400 is sent again once with the layout learned anew.
    void assume_layout(ApiLayout layout);

    // The layout this client learned or assumed so far, without a request (std::nullopt: not known yet).
    [[nodiscard]] std::optional<ApiLayout> known_layout() const noexcept { return m_layout; }

    // project.all, either layout, as Dokploy orders it (newest first). Read once until this client sends a
    // mutation: several look-ups in one subcommand share one request.
    [[nodiscard]] std::vector<Project> projects();

    // project.create. `environment` is the new project's default environment (environments layout only).
    [[nodiscard]] CreatedProject create_project(const std::string& name, const std::string& description);

    // project.remove. Dokploy deletes only the database rows: delete the project's services first, or their
    // containers keep running. Accepts any 2xx answer.
    void remove_project(const std::string& project_id);

    // environment.create (environments layout only; Dokploy refuses the name "production").
    [[nodiscard]] Environment create_environment(const std::string& project_id, const std::string& name);

    // environment.byProjectId (environments layout only).
    [[nodiscard]] std::vector<Environment> environments(const std::string& project_id);

    // compose.create with environmentId or projectId as layout() requires. Dokploy before v0.30 ignores a
    // compose file given here: follow with update_compose. Throws core::Error when the spec lacks the id
    // the layout needs.
    [[nodiscard]] Compose create_compose(const NewCompose& spec);

    // compose.one; std::nullopt when Dokploy says it does not exist (404 NOT_FOUND).
    [[nodiscard]] std::optional<Compose> find_compose(const std::string& compose_id);

    // compose.update with the fields that are set. Throws ApiError (404, NOT_FOUND) when Dokploy does not know
    // the id: it then answers 200 with an empty body.
    void update_compose(const std::string& compose_id, const ComposeUpdate& update);

    // compose.deploy: queues a deployment titled `title` (use a unique title to find it among
    // deployments()). Accepts `true`, `{success: true, ...}`, an empty body; never retried once delivered.
    void deploy_compose(const std::string& compose_id, const std::string& title);

    // compose.start / compose.stop.
    void start_compose(const std::string& compose_id);
    void stop_compose(const std::string& compose_id);

    // compose.delete: removes the containers (and the volumes when `delete_volumes`).
    void delete_compose(const std::string& compose_id, bool delete_volumes);

    // server.all / server.one (std::nullopt when Dokploy says it does not exist).
    [[nodiscard]] std::vector<Server> servers();
    [[nodiscard]] std::optional<Server> find_server(const std::string& server_id);

    // deployment.allByCompose, newest first (Dokploy keeps about the last 10).
    [[nodiscard]] std::vector<Deployment> deployments(const std::string& compose_id);

    // deployment.readLogs: the last `tail` lines of a deployment's log, where Dokploy writes Docker's output
    // (a failed deploy's API record has no error text). std::nullopt when the deployment or the procedure
    // (older Dokploy) does not exist.
    [[nodiscard]] std::optional<std::string> deployment_log(const std::string& deployment_id, int tail);

    // compose.readLogs: the last `tail` lines a container of the compose printed (`docker logs`). std::nullopt
    // when the compose, the container or the procedure does not exist.
    [[nodiscard]] std::optional<std::string> container_log(const std::string& compose_id,
                                                           const std::string& container_id, int tail);

    // docker.getContainersByAppNameMatch for a docker-compose service: its containers and their states.
    // std::nullopt when the procedure does not exist. Dokploy answers [] when it cannot ask Docker.
    [[nodiscard]] std::optional<std::vector<Container>> containers(const std::string& app_name,
                                                                   const std::optional<std::string>& server_id);

private:
    using Query = std::vector<std::pair<std::string, std::string>>;

    // Sends with retries; returns the last response whatever its status (sets `attempts`).
    http::Response exchange(http::Request request, std::string_view procedure, http::Idempotency idempotency,
                            int& attempts);
    // Which 404s a GET returns instead of throwing: none, Dokploy's "<thing> not found", or any 404 (also
    // a procedure this Dokploy does not have).
    enum class Absent { error, resource, resource_or_procedure };
    // GET <procedure>?<query>; throws ApiError unless 2xx or a 404 that `absent` tolerates.
    http::Response get(std::string_view procedure, const Query& query, Absent absent = Absent::error);
    // POST <procedure> with a JSON body; throws ApiError unless 2xx.
    http::Response post(std::string_view procedure, std::string body, http::Idempotency idempotency);
    // POST for a mutation whose answer only has to acknowledge it; returns that answer.
    http::Response mutate(std::string_view procedure, std::string body);
    Compose create_compose_as(const NewCompose& spec, ApiLayout layout);
    std::string version_text();
    void require_environments(std::string_view procedure);
    void adopt_shape(ApiLayout shape);

    http::HttpClient& m_http;
    http::Url m_base;
    std::string m_token;
    http::RetryPolicy m_retry;
    http::Sleeper& m_sleeper;
    http::UnitRandom m_random;
    std::optional<ServerVersion> m_version;   // from the last successful version()
    bool m_token_accepted = false;            // some answer of this process was a 2xx
    std::optional<core::Millis> m_time_left;  // of the limit_api_time() budget
    std::optional<ApiLayout> m_layout;
    bool m_layout_assumed = false;                   // m_layout came from assume_layout(), not from Dokploy
    std::optional<ApiLayout> m_observed_shape;       // from the last project.all that showed one
    std::optional<std::vector<Project>> m_projects;  // project.all, until the next mutation
};

}  // namespace dokploy_provider::dokploy
