// SPDX-License-Identifier: MIT
#include "pkg/provider/status_logic.hpp"

#include "pkg/core/errors.hpp"
#include "tests/support/catch.hpp"

namespace core = dokploy_provider::core;
namespace provider = dokploy_provider::provider;
using provider::MachineStatus;

namespace {

provider::StatusFacts facts(std::optional<std::string> compose_status, bool ssh_ready = false,
                            core::Millis since = core::Millis(0)) {
    provider::StatusFacts result;
    result.compose_status = std::move(compose_status);
    result.ssh_ready = ssh_ready;
    result.since_last_start = since;
    result.create_timeout = core::Millis(600'000);
    return result;
}

}  // namespace

TEST_CASE("composeStatus maps to DevPod states") {
    CHECK(provider::decide_status(facts(std::nullopt)) == MachineStatus::not_found);
    CHECK(provider::decide_status(facts("idle")) == MachineStatus::stopped);
    CHECK(provider::decide_status(facts("error")) == MachineStatus::stopped);
    CHECK(provider::decide_status(facts("running")) == MachineStatus::busy);
    CHECK(provider::decide_status(facts("running", true)) == MachineStatus::busy);
    CHECK(provider::decide_status(facts("done", true)) == MachineStatus::running);
    CHECK(provider::decide_status(facts("done", false)) == MachineStatus::busy);
}

TEST_CASE("a deployed machine whose containers have exited stopped itself: Stopped, so DevPod starts it") {
    auto stopped_itself = facts("done", false, core::Millis(3'600'000));
    stopped_itself.containers_exited = true;
    CHECK(provider::decide_status(stopped_itself) == MachineStatus::stopped);  // not the Busy timeout error
    auto answering = facts("done", true);
    answering.containers_exited = true;  // SSH answering wins over a stale container list
    CHECK(provider::decide_status(answering) == MachineStatus::running);
    auto deploying = facts("running");
    deploying.containers_exited = true;
    CHECK(provider::decide_status(deploying) == MachineStatus::busy);
}

TEST_CASE("Busy is bounded by DOKPLOY_CREATE_TIMEOUT after the last start") {
    CHECK(provider::decide_status(facts("done", false, core::Millis(599'000))) == MachineStatus::busy);
    CHECK_THROWS_WITH(provider::decide_status(facts("done", false, core::Millis(601'000))),
                      Catch::Matchers::Contains("has not answered") && Catch::Matchers::Contains("DOKPLOY_CREATE_TIMEOUT"));
    // A deploy Dokploy lost (it restarted while the deploy was queued) stays "running" forever.
    CHECK(provider::decide_status(facts("running", false, core::Millis(599'000))) == MachineStatus::busy);
    CHECK_THROWS_WITH(provider::decide_status(facts("running", false, core::Millis(3'600'000))),
                      Catch::Matchers::Contains("deploy has been running"));
}

TEST_CASE("an unknown composeStatus is an error, not a guess") {
    CHECK_THROWS_AS(provider::decide_status(facts("paused")), core::Error);
}

TEST_CASE("status words are exactly what DevPod parses") {
    CHECK(provider::status_word(MachineStatus::running) == "Running");
    CHECK(provider::status_word(MachineStatus::busy) == "Busy");
    CHECK(provider::status_word(MachineStatus::stopped) == "Stopped");
    CHECK(provider::status_word(MachineStatus::not_found) == "NotFound");
}
