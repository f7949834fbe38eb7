// SPDX-License-Identifier: MIT
#include "pkg/provider/deploy_log.hpp"

#include "tests/support/catch.hpp"

using dokploy_provider::provider::is_port_conflict;
using dokploy_provider::provider::summarize_deploy_log;

namespace {

// The tail of a failed deploy's log as deployment.readLogs answered it on Dokploy v0.30.2.
constexpr const char* k_failed_deploy_log =
    "Initializing deployment\n"
    "File 'docker-compose.yml' created: \xE2\x9C\x85\n"
    "\xE2\x95\x94\xE2\x95\x90\xE2\x95\x90\xE2\x95\x97\n"
    "\xE2\x95\x91 App Name: compose-back-up-haptic-matrix-em3kkw   \xE2\x95\x91\n"
    "\xE2\x95\x9A\xE2\x95\x90\xE2\x95\x90\xE2\x95\x9D\n"
    "Error response from daemon: Bind for 0.0.0.0:42200 failed: port is already allocated\n"
    "Error: \xE2\x9D\x8C Docker command failed\n"
    "\n"
    "Error occurred \xE2\x9D\x8C, check the logs for details.\n";

}  // namespace

TEST_CASE("a deploy log is summarised by its last lines with text, without Dokploy's banner") {
    // Dokploy's own trailer ("Error: ❌ Docker command failed", ...) would push Docker's words out.
    CHECK(summarize_deploy_log(k_failed_deploy_log) ==
          "Initializing deployment | Error response from daemon: Bind for 0.0.0.0:42200 failed: port is already "
          "allocated");
    CHECK(summarize_deploy_log(k_failed_deploy_log, 1) ==
          "Error response from daemon: Bind for 0.0.0.0:42200 failed: port is already allocated");
    CHECK(summarize_deploy_log("line 1\nline 2\nline 3\nline 4\nError: \xE2\x9D\x8C Docker command failed\n") ==
          "line 2 | line 3 | line 4");
    CHECK(summarize_deploy_log("  one\r\n\n two  ") == "one | two");
    CHECK(summarize_deploy_log("").empty());
    CHECK(summarize_deploy_log("\n\n\xE2\x95\x94\xE2\x95\x90\n").empty());
}

TEST_CASE("port conflicts are recognised in Docker's wordings, case-insensitively") {
    CHECK(is_port_conflict(k_failed_deploy_log));
    CHECK(is_port_conflict("listen tcp4 0.0.0.0:2222: bind: Address already in use"));
    CHECK_FALSE(is_port_conflict("pull access denied for cruizba/ubuntu-dind"));
    CHECK_FALSE(is_port_conflict(""));
}
