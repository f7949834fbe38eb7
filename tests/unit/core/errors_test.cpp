// SPDX-License-Identifier: MIT
#include "pkg/core/errors.hpp"

#include "pkg/core/redact.hpp"
#include "tests/support/catch.hpp"

namespace core = dokploy_provider::core;

TEST_CASE("errors carry their exit code") {
    CHECK(core::Error("x").exit_code() == core::ExitCode::failure);
    CHECK(core::ConfigError("x").exit_code() == core::ExitCode::usage);
    CHECK(core::SshError("x").exit_code() == core::ExitCode::ssh_failure);
    CHECK(core::TransportError("x", true).retryable());
    const core::ApiError api("boom", "compose.one", 404, "NOT_FOUND");
    CHECK(api.endpoint() == "compose.one");
    CHECK(api.http_status() == 404);
    CHECK(api.server_code() == "NOT_FOUND");
}

TEST_CASE("error messages never carry a registered secret") {
    core::clear_secrets();
    core::register_secret("supersecret-token");
    const core::Error error("request failed with supersecret-token");
    CHECK(std::string(error.what()) == "request failed with [REDACTED]");
    core::clear_secrets();
}
