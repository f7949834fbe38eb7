// SPDX-License-Identifier: MIT
#include "pkg/provider/machine_state.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "pkg/core/errors.hpp"
#include "tests/support/catch.hpp"
#include "tests/support/temp_dir.hpp"

namespace provider = dokploy_provider::provider;
using dokploy_provider::testing::TempDir;

TEST_CASE("machine state round-trips through an owner-only file") {
    const TempDir dir;
    const provider::MachinePaths paths{dir.path() / "machine"};
    CHECK_FALSE(provider::read_machine_state(paths).has_value());

    provider::MachineState state;
    state.machine_id = "ws-1";
    state.compose_id = "cmp_1";
    state.app_name = "devpod-ws-1-abc123";
    state.project_id = "prj_1";
    state.environment_id = "env_1";
    state.ssh_host = "::1";
    state.ssh_port = 2222;
    provider::write_machine_state(paths, state);

    struct stat info {};
    REQUIRE(::stat(paths.state_file().c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);
    const auto loaded = provider::read_machine_state(paths);
    REQUIRE(loaded.has_value());
    CHECK(loaded->compose_id == "cmp_1");
    CHECK(loaded->ssh_host == "::1");
    CHECK(loaded->ssh_port == 2222);
    CHECK(loaded->ssh_user == "root");
    // No temp files are left beside it.
    CHECK(std::distance(std::filesystem::directory_iterator(paths.folder), {}) == 1);
}

TEST_CASE("a corrupt machine state file is a clear error") {
    const TempDir dir;
    const provider::MachinePaths paths{dir.path()};
    for (const auto* content : {"{not json", "{\"composeId\": \"x\"}", "[]",
                                R"({"machineId":"m","composeId":"c","projectId":"p","sshHost":"h","sshPort":0})"}) {
        INFO(content);
        std::ofstream(paths.state_file()) << content;
        CHECK_THROWS_WITH(provider::read_machine_state(paths), Catch::Matchers::Contains("is corrupt") &&
                                                                   Catch::Matchers::Contains("run create again"));
    }
}

TEST_CASE("the state file remembers Dokploy's API layout; a file without it is read as not known") {
    const TempDir dir;
    const provider::MachinePaths paths{dir.path()};
    provider::MachineState state;
    state.machine_id = "ws-1";
    state.compose_id = "cmp_1";
    state.project_id = "prj_1";
    state.ssh_host = "dokploy.example.com";
    state.ssh_port = 2222;
    for (const auto layout :
         {dokploy_provider::dokploy::ApiLayout::environments, dokploy_provider::dokploy::ApiLayout::legacy}) {
        state.api_layout = layout;
        provider::write_machine_state(paths, state);
        CHECK(provider::read_machine_state(paths)->api_layout == layout);
    }
    for (const auto* older : {R"({"machineId":"m","composeId":"c","projectId":"p","sshHost":"h","sshPort":22})",
                              R"({"machineId":"m","composeId":"c","projectId":"p","sshHost":"h","sshPort":22,)"
                              R"("apiLayout":"quantum"})",
                              R"({"machineId":"m","composeId":"c","projectId":"p","sshHost":"h","sshPort":22,)"
                              R"("apiLayout":""})"}) {
        INFO(older);
        std::ofstream(paths.state_file()) << older;
        const auto loaded = provider::read_machine_state(paths);
        REQUIRE(loaded);
        CHECK_FALSE(loaded->api_layout);
    }
}
