// SPDX-License-Identifier: MIT
// Replays every input of tests/fuzz/corpus/<target>/ (seeds and the inputs of crashes found and fixed)
// through the fuzz targets' checks, so that the regular test suite guards them without clang or libFuzzer.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/support/catch.hpp"

int dp_fuzz_compose_ports(const std::uint8_t* data, std::size_t size);
int dp_fuzz_url(const std::uint8_t* data, std::size_t size);
int dp_fuzz_options(const std::uint8_t* data, std::size_t size);
int dp_fuzz_dokploy_json(const std::uint8_t* data, std::size_t size);

namespace {

using Target = int (*)(const std::uint8_t*, std::size_t);

std::size_t replay(const std::string& name, Target target) {
    std::size_t count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(std::string(DP_FUZZ_CORPUS_DIR) + "/" + name)) {
        std::ifstream in(entry.path(), std::ios::binary);
        const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        INFO(entry.path().string());
        CHECK(target(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()) == 0);
        ++count;
    }
    return count;
}

}  // namespace

TEST_CASE("fuzz corpora replay without a failure") {
    CHECK(replay("compose_ports", dp_fuzz_compose_ports) >= 3);
    CHECK(replay("url", dp_fuzz_url) >= 3);
    CHECK(replay("options", dp_fuzz_options) >= 2);
    CHECK(replay("dokploy_json", dp_fuzz_dokploy_json) >= 20);
}
