// SPDX-License-Identifier: MIT
#include "pkg/provider/options.hpp"

#include <string>

#include "pkg/core/errors.hpp"
#include "pkg/core/redact.hpp"
#include "tests/support/catch.hpp"
#include "tests/support/scoped_env.hpp"

namespace core = dokploy_provider::core;
namespace provider = dokploy_provider::provider;
namespace http = dokploy_provider::http;
using dokploy_provider::testing::FakeEnv;

namespace {

FakeEnv valid_env() {
    return FakeEnv{{"DOKPLOY_SERVER_URL", "https://dokploy.example.com"}, {"DOKPLOY_API_TOKEN", "tok-abcdef123456"}};
}

// Returns the ConfigError message load_options throws for `env`, or "" when it accepts it.
std::string rejection(const FakeEnv& env) {
    try {
        (void)provider::load_options(env.lookup());
    } catch (const core::ConfigError& e) {
        return e.what();
    }
    return {};
}

}  // namespace

TEST_CASE("load_options applies the documented defaults") {
    const auto options = provider::load_options(valid_env().lookup());
    CHECK(options.server_url.host == "dokploy.example.com");
    CHECK(options.api_token == "tok-abcdef123456");
    CHECK(options.project_name == "devpod-workspaces");
    CHECK(options.environment_name == "production");
    CHECK_FALSE(options.server_id.has_value());
    CHECK_FALSE(options.ssh_host.has_value());
    CHECK(options.ssh_port_range == provider::PortRange{2222, 2322});
    CHECK(options.workspace_image == provider::k_default_workspace_image);
    CHECK_FALSE(options.machine_cpus.has_value());
    CHECK_FALSE(options.machine_memory.has_value());
    CHECK_FALSE(options.ca_file.has_value());
    CHECK(options.request_timeout == core::Millis(30'000));
    CHECK(options.create_timeout == core::Millis(600'000));
    core::clear_secrets();
}

TEST_CASE("empty variables count as unset, as DevPod passes KEY=") {
    auto env = valid_env();
    for (const auto* name : {"DOKPLOY_PROJECT_NAME", "DOKPLOY_ENVIRONMENT_NAME", "DOKPLOY_SERVER_ID", "DOKPLOY_SSH_HOST",
                             "DOKPLOY_SSH_PORT_RANGE", "DOKPLOY_WORKSPACE_IMAGE", "DOKPLOY_MACHINE_CPUS",
                             "DOKPLOY_MACHINE_MEMORY", "DOKPLOY_CA_FILE", "DOKPLOY_TIMEOUT", "DOKPLOY_CREATE_TIMEOUT",
                             "DOKPLOY_INACTIVITY_TIMEOUT"}) {
        env.set(name, "");
    }
    const auto options = provider::load_options(env.lookup());
    CHECK(options.project_name == "devpod-workspaces");
    CHECK(options.ssh_port_range == provider::PortRange{2222, 2322});
    CHECK(rejection(FakeEnv(valid_env()).set("DOKPLOY_API_TOKEN", "")).starts_with("DOKPLOY_API_TOKEN is not set"));
    CHECK(rejection(FakeEnv(valid_env()).set("DOKPLOY_SERVER_URL", "")).starts_with("DOKPLOY_SERVER_URL is not set"));
}

TEST_CASE("DOKPLOY_SERVER_URL accepts the URL forms Dokploy is reached by") {
    struct Case {
        const char* text;
        const char* host;
        int port;  // 0: none
        const char* prefix;
        const char* endpoint;
    };
    const Case cases[] = {
        {"https://dokploy.example.com", "dokploy.example.com", 0, "", "https://dokploy.example.com/api/project.all"},
        {"https://dokploy.example.com/", "dokploy.example.com", 0, "", "https://dokploy.example.com/api/project.all"},
        {"http://203.0.113.7:3000", "203.0.113.7", 3000, "", "http://203.0.113.7:3000/api/project.all"},
        {"https://example.com/dokploy/", "example.com", 0, "/dokploy", "https://example.com/dokploy/api/project.all"},
        {"http://[::1]:3000/", "::1", 3000, "", "http://[::1]:3000/api/project.all"},
        {"https://[2001:db8::7]/x/y", "2001:db8::7", 0, "/x/y", "https://[2001:db8::7]/x/y/api/project.all"},
        {"HTTPS://Example.com", "Example.com", 0, "", "https://Example.com/api/project.all"},
    };
    for (const auto& c : cases) {
        INFO(c.text);
        const auto options = provider::load_options(FakeEnv(valid_env()).set("DOKPLOY_SERVER_URL", c.text).lookup());
        CHECK(options.server_url.host == c.host);
        CHECK(options.server_url.port.value_or(0) == c.port);
        CHECK(options.server_url.path_prefix == c.prefix);
        CHECK(options.server_url.endpoint("project.all") == c.endpoint);
    }
    core::clear_secrets();
}

TEST_CASE("DOKPLOY_SERVER_URL rejects malformed URLs with a message naming the variable") {
    for (const auto* bad : {"dokploy.example.com", "ftp://example.com", "https://", "https://user:pw@example.com",
                            "https://example.com/#frag", "https://example.com/?q=1", "https://exa mple.com",
                            "https://example.com:0", "https://example.com:70000", "https://example.com:abc",
                            "https://[::1", "https://[zz::1]/", "https://exa\nmple.com", "http://::1:3000",
                            "https://example.com:", "http://-/", "http://../", "http://a..b/"}) {
        INFO(bad);
        const auto message = rejection(FakeEnv(valid_env()).set("DOKPLOY_SERVER_URL", bad));
        CHECK(message.starts_with("DOKPLOY_SERVER_URL is not a valid URL"));
    }
    const auto with_credentials = rejection(FakeEnv(valid_env()).set("DOKPLOY_SERVER_URL", "https://admin:hunter22@x.io"));
    CHECK(with_credentials.find("hunter22") == std::string::npos);
    CHECK(rejection(FakeEnv(valid_env()).set("DOKPLOY_SERVER_URL", "https://x.io/" + std::string(3000, 'a')))
              .find("longer than 2048") != std::string::npos);
}

TEST_CASE("DOKPLOY_API_TOKEN is registered as a secret and never echoed") {
    core::clear_secrets();
    (void)provider::load_options(valid_env().lookup());
    CHECK(core::redact("token=tok-abcdef123456") == "token=[REDACTED]");
    const auto message = rejection(FakeEnv(valid_env()).set("DOKPLOY_API_TOKEN", "bad token\x01"));
    CHECK(message.starts_with("DOKPLOY_API_TOKEN is not an API key"));
    CHECK(message.find("bad token") == std::string::npos);
    core::clear_secrets();
}

TEST_CASE("names must be printable and reasonably short") {
    CHECK(provider::load_options(FakeEnv(valid_env()).set("DOKPLOY_PROJECT_NAME", "My Workspaces").lookup()).project_name ==
          "My Workspaces");
    CHECK(rejection(FakeEnv(valid_env()).set("DOKPLOY_PROJECT_NAME", "bad\nname")).starts_with("DOKPLOY_PROJECT_NAME"));
    CHECK(rejection(FakeEnv(valid_env()).set("DOKPLOY_ENVIRONMENT_NAME", " padded")).starts_with("DOKPLOY_ENVIRONMENT_NAME"));
    CHECK(rejection(FakeEnv(valid_env()).set("DOKPLOY_SERVER_ID", std::string(200, 'x'))).starts_with("DOKPLOY_SERVER_ID"));
    CHECK(provider::load_options(FakeEnv(valid_env()).set("DOKPLOY_SERVER_ID", "srv_123").lookup()).server_id == "srv_123");
    for (const auto* bad : {"\xc2\xa0", "\xe3\x80\x80", "a\xc2\x85" "b", "\xff\xfe", "   "}) {
        INFO(bad);
        CHECK(rejection(FakeEnv(valid_env()).set("DOKPLOY_PROJECT_NAME", bad)).starts_with("DOKPLOY_PROJECT_NAME"));
    }
    for (const auto& bad : {std::string("tok\xc2\xa0"), std::string("tok\xc2\x85x"), std::string(1025, 'a')}) {
        CHECK(rejection(FakeEnv(valid_env()).set("DOKPLOY_API_TOKEN", bad)).starts_with("DOKPLOY_API_TOKEN"));
    }
}

TEST_CASE("DOKPLOY_SSH_PORT_RANGE must be LOW-HIGH within 1024-65535") {
    CHECK(provider::parse_port_range("2222-2322") == provider::PortRange{2222, 2322});
    CHECK(provider::parse_port_range("1024-1024") == provider::PortRange{1024, 1024});
    CHECK(provider::parse_port_range("40000-65535") == provider::PortRange{40000, 65535});
    for (const auto* bad : {"2322-2222", "80-90", "1023-2000", "2000-65536", "abc-def", "2222", "2222-", "-2222",
                            "2222-2322-2400", " 2222-2322", "2222 - 2322", "+2222-2322", "99999999999-1"}) {
        INFO(bad);
        CHECK_FALSE(provider::parse_port_range(bad).has_value());
        CHECK(rejection(FakeEnv(valid_env()).set("DOKPLOY_SSH_PORT_RANGE", bad)).starts_with("DOKPLOY_SSH_PORT_RANGE"));
    }
}

TEST_CASE("DOKPLOY_SSH_HOST takes a host name or an IP address") {
    const auto host = [](const char* value) {
        return provider::load_options(FakeEnv(valid_env()).set("DOKPLOY_SSH_HOST", value).lookup()).ssh_host;
    };
    CHECK(host("ssh.example.com") == "ssh.example.com");
    CHECK(host("203.0.113.7") == "203.0.113.7");
    CHECK(host("2001:db8::7") == "2001:db8::7");
    CHECK(host("[2001:db8::7]") == "2001:db8::7");
    for (const auto* bad : {"ssh://host", "host:22", "host/path", "ho st", "user@host", "[::1]:22", "-", "..", "-.-",
                            "a..b", "-host.example.com", "host-.example.com", ".host"}) {
        INFO(bad);
        CHECK(rejection(FakeEnv(valid_env()).set("DOKPLOY_SSH_HOST", bad)).starts_with("DOKPLOY_SSH_HOST"));
    }
}

TEST_CASE("DOKPLOY_WORKSPACE_IMAGE must be an image reference") {
    for (const auto* good : {"cruizba/ubuntu-dind:latest", "ubuntu", "registry.example.com:5000/team/dind:1.2.3",
                             "ghcr.io/org/img@sha256:" "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}) {
        INFO(good);
        CHECK(provider::load_options(FakeEnv(valid_env()).set("DOKPLOY_WORKSPACE_IMAGE", good).lookup()).workspace_image ==
              good);
    }
    for (const auto* bad : {"Ubuntu", "img:tag with space", "img:\"quoted\"", "img\nprivileged: false", "img;rm -rf /",
                            "img:", "-img", "img:$(id)"}) {
        INFO(bad);
        CHECK(rejection(FakeEnv(valid_env()).set("DOKPLOY_WORKSPACE_IMAGE", bad)).starts_with("DOKPLOY_WORKSPACE_IMAGE"));
    }
}

TEST_CASE("machine limits accept Docker's forms") {
    const auto options = provider::load_options(
        FakeEnv(valid_env()).set("DOKPLOY_MACHINE_CPUS", "1.5").set("DOKPLOY_MACHINE_MEMORY", "4g").lookup());
    CHECK(options.machine_cpus == "1.5");
    CHECK(options.machine_memory == "4g");
    for (const auto* bad : {"0", "-1", "two", "1.", ".5", "1.234", "1e3", "2 "}) {
        INFO(bad);
        CHECK(rejection(FakeEnv(valid_env()).set("DOKPLOY_MACHINE_CPUS", bad)).starts_with("DOKPLOY_MACHINE_CPUS"));
    }
    for (const auto* bad : {"0", "4gb", "4 g", "-4g", "4t", "g", "4g\n"}) {
        INFO(bad);
        CHECK(rejection(FakeEnv(valid_env()).set("DOKPLOY_MACHINE_MEMORY", bad)).starts_with("DOKPLOY_MACHINE_MEMORY"));
    }
}

TEST_CASE("DOKPLOY_MACHINE_GPUS is all or a count") {
    CHECK_FALSE(provider::load_options(valid_env().lookup()).machine_gpus);
    CHECK(provider::load_options(FakeEnv(valid_env()).set("DOKPLOY_MACHINE_GPUS", "all").lookup()).machine_gpus == "all");
    CHECK(provider::load_options(FakeEnv(valid_env()).set("DOKPLOY_MACHINE_GPUS", "2").lookup()).machine_gpus == "2");
    for (const auto* bad : {"0", "ALL", "-1", "1.5", "two", "1 ", "1000", "all\n"}) {
        INFO(bad);
        CHECK(rejection(FakeEnv(valid_env()).set("DOKPLOY_MACHINE_GPUS", bad)).starts_with("DOKPLOY_MACHINE_GPUS"));
    }
    core::clear_secrets();
}

TEST_CASE("timeouts are durations with sensible minimums") {
    const auto options = provider::load_options(
        FakeEnv(valid_env()).set("DOKPLOY_TIMEOUT", "10s").set("DOKPLOY_CREATE_TIMEOUT", "2m").lookup());
    CHECK(options.request_timeout == core::Millis(10'000));
    CHECK(options.create_timeout == core::Millis(120'000));
    CHECK(rejection(FakeEnv(valid_env()).set("DOKPLOY_TIMEOUT", "soon")).starts_with("DOKPLOY_TIMEOUT"));
    CHECK(rejection(FakeEnv(valid_env()).set("DOKPLOY_TIMEOUT", "100ms")).find("too short") != std::string::npos);
    CHECK(rejection(FakeEnv(valid_env()).set("DOKPLOY_CREATE_TIMEOUT", "1s")).starts_with("DOKPLOY_CREATE_TIMEOUT"));
}

TEST_CASE("a duration beyond an option's maximum is named as such, not as 'not a duration'") {
    CHECK(rejection(FakeEnv(valid_env()).set("DOKPLOY_TIMEOUT", "1000h")) ==
          "DOKPLOY_TIMEOUT '1000h' is longer than the maximum 1h00m; use at most that");
    CHECK(rejection(FakeEnv(valid_env()).set("DOKPLOY_CREATE_TIMEOUT", "25h")).find("longer than the maximum 24h00m") !=
          std::string::npos);
    CHECK(rejection(FakeEnv(valid_env()).set("DOKPLOY_TIMEOUT", "30")) ==
          "DOKPLOY_TIMEOUT '30' is not a duration; use a number with a unit, like 30s, 2m or 1h30m");
}

TEST_CASE("DOKPLOY_INACTIVITY_TIMEOUT is checked like DevPod's agent reads it") {
    // The agent takes 20m for anything time.ParseDuration refuses, "" included: refuse it here instead.
    CHECK(provider::load_options(valid_env().lookup()).inactivity_timeout == core::Millis(1'800'000));
    CHECK(provider::load_options(FakeEnv(valid_env()).set("DOKPLOY_INACTIVITY_TIMEOUT", "1h30m").lookup())
              .inactivity_timeout == core::Millis(5'400'000));
    CHECK(provider::load_options(FakeEnv(valid_env()).set("DOKPLOY_INACTIVITY_TIMEOUT", "8760h").lookup())
              .inactivity_timeout == core::Millis(8'760LL * 3'600'000));
    for (const auto* bad : {"never", "30", "-5m", "1d", "10s", "8761h"}) {
        INFO(bad);
        CHECK(rejection(FakeEnv(valid_env()).set("DOKPLOY_INACTIVITY_TIMEOUT", bad))
                  .starts_with("DOKPLOY_INACTIVITY_TIMEOUT"));
    }
    core::clear_secrets();
}

TEST_CASE("DOKPLOY_SSH_CONTROL_PERSIST: 10m by default, 0 turns reuse off, at most 24h") {
    CHECK(provider::load_control_persist(valid_env().lookup()) == core::Millis(600'000));
    CHECK(provider::load_control_persist(FakeEnv(valid_env()).set("DOKPLOY_SSH_CONTROL_PERSIST", "").lookup()) ==
          core::Millis(600'000));
    CHECK(provider::load_control_persist(FakeEnv(valid_env()).set("DOKPLOY_SSH_CONTROL_PERSIST", "0").lookup()) ==
          core::Millis(0));
    CHECK(provider::load_control_persist(FakeEnv(valid_env()).set("DOKPLOY_SSH_CONTROL_PERSIST", "1h").lookup()) ==
          core::Millis(3'600'000));
    for (const auto* bad : {"forever", "10", "-1m", "25h"}) {
        INFO(bad);
        CHECK(rejection(FakeEnv(valid_env()).set("DOKPLOY_SSH_CONTROL_PERSIST", bad))
                  .starts_with("DOKPLOY_SSH_CONTROL_PERSIST"));
    }
    core::clear_secrets();
}

TEST_CASE("DOKPLOY_CA_FILE must exist") {
    CHECK(rejection(FakeEnv(valid_env()).set("DOKPLOY_CA_FILE", "/nonexistent/ca.pem")).starts_with("DOKPLOY_CA_FILE"));
    const auto data_file = std::string(DP_TEST_DATA_DIR) + "/ca/test-ca.pem";
    CHECK(provider::load_options(FakeEnv(valid_env()).set("DOKPLOY_CA_FILE", data_file).lookup()).ca_file == data_file);
}

TEST_CASE("MACHINE_ID, MACHINE_FOLDER and COMMAND are validated where needed") {
    CHECK(provider::load_machine_id(FakeEnv{{"MACHINE_ID", "my-ws-1a2b3"}}.lookup()) == "my-ws-1a2b3");
    CHECK(provider::load_machine_id(FakeEnv{{"MACHINE_ID", std::string(48, 'a')}}.lookup()).size() == 48);
    for (const auto& bad : {std::string("My-WS"), std::string("-ws"), std::string("a/b"), std::string(".."),
                            std::string("a b"), std::string("ws\n"), std::string("a'b"), std::string("$(id)"),
                            std::string(49, 'a')}) {
        INFO(bad);
        CHECK_THROWS_AS(provider::load_machine_id(FakeEnv{{"MACHINE_ID", bad}}.lookup()), core::ConfigError);
    }
    CHECK_THROWS_WITH(provider::load_machine_id(FakeEnv{}.lookup()), Catch::Matchers::StartsWith("MACHINE_ID is not set"));
    CHECK(provider::load_machine_folder(FakeEnv{{"MACHINE_FOLDER", "/home/u/.devpod/m"}}.lookup()) == "/home/u/.devpod/m");
    CHECK_THROWS_AS(provider::load_machine_folder(FakeEnv{{"MACHINE_FOLDER", "relative/dir"}}.lookup()), core::ConfigError);
    CHECK_THROWS_AS(provider::load_machine_folder(FakeEnv{}.lookup()), core::ConfigError);
    CHECK(provider::load_command(FakeEnv{{"COMMAND", "echo 'a' \"$HOME\""}}.lookup()) == "echo 'a' \"$HOME\"");
    CHECK_THROWS_AS(provider::load_command(FakeEnv{}.lookup()), core::ConfigError);
}

TEST_CASE("plain http is unencrypted unless it stays on this computer") {
    const auto unencrypted = [](const std::string& text) {
        return provider::unencrypted_to_another_host(*http::parse_url(text).url);
    };
    CHECK(unencrypted("http://203.0.113.7:3000"));
    CHECK(unencrypted("http://dokploy.example.com"));
    CHECK(unencrypted("http://[2001:db8::7]:3000"));
    CHECK(unencrypted("http://127.example.com"));
    CHECK_FALSE(unencrypted("https://203.0.113.7:3000"));
    CHECK_FALSE(unencrypted("http://127.0.0.1:3000"));
    CHECK_FALSE(unencrypted("http://127.1.2.3"));
    CHECK_FALSE(unencrypted("http://localhost:3000"));
    CHECK_FALSE(unencrypted("http://LocalHost"));
    CHECK_FALSE(unencrypted("http://[::1]:3000"));
}
