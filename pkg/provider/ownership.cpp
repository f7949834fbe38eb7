// SPDX-License-Identifier: MIT
#include "pkg/provider/ownership.hpp"

#include <cctype>

namespace dokploy_provider::provider {
namespace {

constexpr std::size_t k_min_key_body = 32;  // an ed25519 public key body is 68 base64 characters

// The base64 body of an OpenSSH public key line: its second word.
std::string_view key_body(std::string_view line) {
    const auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    std::size_t start = 0;
    while (start < line.size() && !is_space(line[start])) {
        ++start;
    }
    while (start < line.size() && is_space(line[start])) {
        ++start;
    }
    auto end = start;
    while (end < line.size() && !is_space(line[end])) {
        ++end;
    }
    return line.substr(start, end - start);
}

}  // namespace

Ownership ownership_of(std::string_view compose_file, std::string_view our_public_key_line) {
    if (compose_file.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        return Ownership::unclaimed;
    }
    const auto body = key_body(our_public_key_line);
    if (body.size() >= k_min_key_body && compose_file.find(body) != std::string_view::npos) {
        return Ownership::ours;
    }
    return Ownership::theirs;
}

std::string not_ours_message(std::string_view service_name, std::string_view project_name) {
    return "the Dokploy service " + std::string(service_name) + " in project '" + std::string(project_name) +
           "' belongs to another DevPod (it does not accept this machine's SSH key), so it is left alone; use "
           "another machine name or DOKPLOY_PROJECT_NAME, or delete " + std::string(service_name) +
           " in Dokploy if it is really yours";
}

}  // namespace dokploy_provider::provider
