// SPDX-License-Identifier: MIT
// Fuzzes the Dokploy response decoders: any body either decodes into models whose required ids are
// non-empty, or raises detail::BodyError. No other exception, no crash, no empty id handed on.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "pkg/dokploy/json_models.hpp"

namespace {

namespace detail = dokploy_provider::dokploy::detail;

void require(bool condition) {
    if (!condition) {
        std::abort();
    }
}

template <typename Decode>
void decode_or_body_error(Decode decode) {
    try {
        decode();
    } catch (const detail::BodyError&) {
    }
}

}  // namespace

int dp_fuzz_dokploy_json(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    decode_or_body_error([&] { (void)detail::decode_string(body); });
    decode_or_body_error([&] { (void)detail::decode_containers(body); });
    decode_or_body_error([&] {
        for (const auto& project : detail::decode_projects(body).projects) {
            require(!project.project_id.empty());
            for (const auto& environment : project.environments) {
                require(!environment.environment_id.empty());
                for (const auto& compose : environment.compose) {
                    require(!compose.compose_id.empty());
                }
            }
            for (const auto& compose : project.compose) {
                require(!compose.compose_id.empty());
            }
        }
    });
    decode_or_body_error([&] { require(!detail::decode_created_project(body).project.project_id.empty()); });
    decode_or_body_error([&] { require(!detail::decode_compose(body).compose_id.empty()); });
    decode_or_body_error([&] {
        for (const auto& deployment : detail::decode_deployments(body)) {
            require(!deployment.deployment_id.empty());
        }
    });
    decode_or_body_error([&] {
        for (const auto& server : detail::decode_servers(body)) {
            require(!server.server_id.empty());
        }
    });
    decode_or_body_error([&] { detail::check_acknowledgement(body); });
    (void)detail::decode_error_body(body);  // defensive: never throws
    return 0;
}

#ifndef DP_FUZZ_NO_MAIN
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return dp_fuzz_dokploy_json(data, size);
}
#endif
