// SPDX-License-Identifier: MIT
#include "pkg/provider/options.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <regex>

#include "pkg/core/errors.hpp"
#include "pkg/core/numbers.hpp"
#include "pkg/core/redact.hpp"
#include "pkg/core/text.hpp"

namespace dokploy_provider::provider {
namespace {

constexpr std::size_t k_max_name_length = 128;
constexpr std::size_t k_max_machine_id_length = 48;
constexpr std::size_t k_max_token_length = 1024;
constexpr std::size_t k_max_path_length = 4096;

[[noreturn]] void reject(std::string_view variable, const std::string& problem, const std::string& fix) {
    throw core::ConfigError(std::string(variable) + " " + problem + "; " + fix);
}

bool has_control_chars(std::string_view text) {
    return std::any_of(text.begin(), text.end(), [](char c) { return std::iscntrl(static_cast<unsigned char>(c)); });
}

// A printable, trimmed name of reasonable length (project, environment, server id).
std::string checked_name(std::string_view variable, std::string value) {
    if (value.size() > k_max_name_length) {
        reject(variable, "is longer than 128 bytes", "use a shorter name");
    }
    if (!core::is_clean_name(value)) {
        reject(variable, "is blank, has surrounding spaces, control characters or invalid UTF-8",
               "use a plain printable name");
    }
    return value;
}

// A duration option within [limits.minimum, limits.maximum], in Go's syntax (what DevPod checks `type:
// duration` options with).
core::Millis checked_duration(std::string_view variable, const std::string& value, const DurationLimits& limits) {
    const auto parsed = core::parse_duration(value);
    if (!parsed) {
        reject(variable, "'" + value + "' is not a duration", "use a number with a unit, like 30s, 2m or 1h30m");
    }
    if (*parsed < limits.minimum) {
        reject(variable, "'" + value + "' is too short", "use at least " + core::format_duration(limits.minimum));
    }
    if (*parsed > limits.maximum) {
        reject(variable, "'" + value + "' is longer than the maximum " + core::format_duration(limits.maximum),
               "use at most that");
    }
    return *parsed;
}

std::string checked_image(const std::string& value) {
    // Docker reference: [registry[:port]/]path[:tag][@digest]; lowercase path, no spaces or quotes.
    static const std::regex k_image(
        R"(^([a-zA-Z0-9.-]+(:[0-9]+)?/)?[a-z0-9]+([._-]+[a-z0-9]+)*(/[a-z0-9]+([._-]+[a-z0-9]+)*)*)"
        R"((:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$)");
    if (value.size() > 255 || !std::regex_match(value, k_image)) {
        reject("DOKPLOY_WORKSPACE_IMAGE", "'" + value + "' is not a valid image reference",
               "use a reference like cruizba/ubuntu-dind:noble-26.1.4");
    }
    return value;
}

std::string checked_cpus(const std::string& value) {
    static const std::regex k_cpus(R"(^([0-9]{1,3}(\.[0-9]{1,2})?)$)");
    if (!std::regex_match(value, k_cpus) || std::stod(value) <= 0) {
        reject("DOKPLOY_MACHINE_CPUS", "'" + value + "' is not a positive number of CPUs",
               "use a value like 2 or 0.5, or leave it empty for no limit");
    }
    return value;
}

std::string checked_memory(const std::string& value) {
    static const std::regex k_memory(R"(^[1-9][0-9]{0,8}[bkmgBKMG]?$)");
    if (!std::regex_match(value, k_memory)) {
        reject("DOKPLOY_MACHINE_MEMORY", "'" + value + "' is not a memory size",
               "use a value like 4g or 512m, or leave it empty for no limit");
    }
    return value;
}

std::string checked_gpus(const std::string& value) {
    static const std::regex k_gpus(R"(^(all|[1-9][0-9]{0,2})$)");
    if (!std::regex_match(value, k_gpus)) {
        reject("DOKPLOY_MACHINE_GPUS", "'" + value + "' is not a number of GPUs",
               "use all, a count like 1 or 2, or leave it empty for none");
    }
    return value;
}

std::string checked_ssh_host(const std::string& value) {
    const bool bracketed = value.starts_with('[') && value.ends_with(']');
    const auto host = bracketed ? value.substr(1, value.size() - 2) : value;
    // Reuse the URL authority rules: a bare host must parse as "http://<host>" with no port or path.
    const auto probe = http::parse_url("http://" + (host.find(':') != std::string::npos ? "[" + host + "]" : host));
    if (!probe.url || !probe.url->path_prefix.empty() || probe.url->port) {
        reject("DOKPLOY_SSH_HOST", "'" + value + "' is not a host name or IP address",
               "use a host like dokploy.example.com, 203.0.113.7 or 2001:db8::7 (no port, no scheme)");
    }
    return probe.url->host;
}

}  // namespace

std::optional<PortRange> parse_port_range(std::string_view text) {
    const auto dash = text.find('-');
    if (dash == std::string_view::npos) {
        return std::nullopt;
    }
    const auto low = core::parse_int(text.substr(0, dash));
    const auto high = core::parse_int(text.substr(dash + 1));
    if (!low || !high || *low < 1024 || *high > 65535 || *low > *high) {
        return std::nullopt;
    }
    return PortRange{*low, *high};
}

Options load_options(const core::EnvLookup& env) {
    Options options;

    const auto url_text = env("DOKPLOY_SERVER_URL");
    if (!url_text) {
        reject("DOKPLOY_SERVER_URL", "is not set", "set it to your Dokploy URL, e.g. https://dokploy.example.com");
    }
    const auto url = http::parse_url(*url_text);
    if (!url.url) {
        reject("DOKPLOY_SERVER_URL", "is not a valid URL: " + url.error,
               "use a URL like https://dokploy.example.com or http://203.0.113.7:3000");
    }
    options.server_url = *url.url;

    const auto token = env("DOKPLOY_API_TOKEN");
    if (!token) {
        reject("DOKPLOY_API_TOKEN", "is not set", "create an API key in Dokploy (Profile > API/CLI) and set it");
    }
    if (!core::is_printable_ascii_word(*token) || token->size() > k_max_token_length) {
        reject("DOKPLOY_API_TOKEN", "is not an API key (it must be up to 1024 printable ASCII characters, no spaces)",
               "paste the API key exactly as Dokploy shows it");
    }
    options.api_token = *token;
    core::register_secret(options.api_token);

    if (auto value = env("DOKPLOY_PROJECT_NAME")) {
        options.project_name = checked_name("DOKPLOY_PROJECT_NAME", *value);
    }
    if (auto value = env("DOKPLOY_ENVIRONMENT_NAME")) {
        options.environment_name = checked_name("DOKPLOY_ENVIRONMENT_NAME", *value);
    }
    if (auto value = env("DOKPLOY_SERVER_ID")) {
        options.server_id = checked_name("DOKPLOY_SERVER_ID", *value);
    }
    if (auto value = env("DOKPLOY_SSH_HOST")) {
        options.ssh_host = checked_ssh_host(*value);
    }
    if (auto value = env("DOKPLOY_SSH_PORT_RANGE")) {
        const auto range = parse_port_range(*value);
        if (!range) {
            reject("DOKPLOY_SSH_PORT_RANGE", "'" + *value + "' is not a valid range",
                   "use LOW-HIGH with 1024 <= LOW <= HIGH <= 65535, e.g. 2222-2322");
        }
        options.ssh_port_range = *range;
    }
    if (auto value = env("DOKPLOY_WORKSPACE_IMAGE")) {
        options.workspace_image = checked_image(*value);
    }
    if (auto value = env("DOKPLOY_MACHINE_CPUS")) {
        options.machine_cpus = checked_cpus(*value);
    }
    if (auto value = env("DOKPLOY_MACHINE_MEMORY")) {
        options.machine_memory = checked_memory(*value);
    }
    if (auto value = env("DOKPLOY_MACHINE_GPUS")) {
        options.machine_gpus = checked_gpus(*value);
    }
    if (auto value = env("DOKPLOY_CA_FILE")) {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(*value, ec)) {
            reject("DOKPLOY_CA_FILE", "'" + *value + "' is not a readable file", "point it at a PEM file of your CA");
        }
        options.ca_file = *value;
    }
    if (auto value = env("DOKPLOY_TIMEOUT")) {
        options.request_timeout = checked_duration("DOKPLOY_TIMEOUT", *value, k_request_timeout_limits);
    }
    if (auto value = env("DOKPLOY_CREATE_TIMEOUT")) {
        options.create_timeout = checked_duration("DOKPLOY_CREATE_TIMEOUT", *value, k_create_timeout_limits);
    }
    // Read by DevPod's agent in the machine (agent.inactivityTimeout), which silently takes 20m for anything
    // it cannot parse: checked here so that a typo fails at `provider add` instead.
    if (auto value = env("DOKPLOY_INACTIVITY_TIMEOUT")) {
        options.inactivity_timeout = checked_duration("DOKPLOY_INACTIVITY_TIMEOUT", *value, k_inactivity_limits);
    }
    options.control_persist = load_control_persist(env);
    return options;
}

core::Millis load_control_persist(const core::EnvLookup& env) {
    if (auto value = env("DOKPLOY_SSH_CONTROL_PERSIST")) {
        return checked_duration("DOKPLOY_SSH_CONTROL_PERSIST", *value, k_control_persist_limits);
    }
    return Options{}.control_persist;
}

bool unencrypted_to_another_host(const http::Url& url) {
    if (url.scheme != "http") {
        return false;
    }
    std::string host = url.host;
    std::transform(host.begin(), host.end(), host.begin(), [](unsigned char c) { return std::tolower(c); });
    const bool loopback = host == "localhost" || host.ends_with(".localhost") || host == "::1" ||
                          std::regex_match(host, std::regex(R"(^127(\.\d{1,3}){3}$)"));
    return !loopback;
}

void warn_if_unencrypted(const Options& options) {
    if (unencrypted_to_another_host(options.server_url)) {
        spdlog::warn("DOKPLOY_SERVER_URL is plain http:// to {}: the API key and each machine's private SSH host key "
                     "cross the network unencrypted; use https:// (Dokploy's domain with a certificate)",
                     options.server_url.host);
    }
}

std::string load_machine_id(const core::EnvLookup& env) {
    const auto value = env("MACHINE_ID");
    if (!value) {
        reject("MACHINE_ID", "is not set", "run this through DevPod, or set MACHINE_ID to the machine's name");
    }
    static const std::regex k_machine_id("^[a-z0-9][a-z0-9-]*$");
    if (value->size() > k_max_machine_id_length || !std::regex_match(*value, k_machine_id)) {
        reject("MACHINE_ID", "must be 1-48 characters of a-z, 0-9 and '-', starting with a letter or digit",
               "use the machine name DevPod gives");
    }
    return *value;
}

std::filesystem::path load_machine_folder(const core::EnvLookup& env) {
    const auto value = env("MACHINE_FOLDER");
    if (!value) {
        reject("MACHINE_FOLDER", "is not set", "run this through DevPod, or set MACHINE_FOLDER to a folder for the machine's keys");
    }
    if (has_control_chars(*value) || value->size() > k_max_path_length || !std::filesystem::path(*value).is_absolute()) {
        reject("MACHINE_FOLDER", "must be an absolute path of at most 4096 bytes without control characters",
               "set it to an absolute folder path");
    }
    return *value;
}

std::string load_command(const core::EnvLookup& env) {
    auto value = env("COMMAND");
    if (!value) {
        reject("COMMAND", "is not set", "run this through DevPod, or set COMMAND to the shell command to run");
    }
    return *value;
}

}  // namespace dokploy_provider::provider
