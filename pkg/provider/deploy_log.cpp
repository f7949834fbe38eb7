// SPDX-License-Identifier: MIT
#include "pkg/provider/deploy_log.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace dokploy_provider::provider {
namespace {

constexpr std::string_view k_separator = " | ";

std::string_view trim(std::string_view text) {
    const auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    while (!text.empty() && is_space(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && is_space(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

// Box-drawing characters (U+2500-U+257F: E2 94 80 to E2 95 BF in UTF-8) open every line of Dokploy's banner.
bool is_banner(std::string_view line) {
    return line.size() >= 3 && static_cast<unsigned char>(line[0]) == 0xE2 &&
           (static_cast<unsigned char>(line[1]) == 0x94 || static_cast<unsigned char>(line[1]) == 0x95);
}

// Dokploy's own progress and trailer lines carry a check mark or a cross (U+2705, U+274C): "File
// 'docker-compose.yml' created: ✅", "Error: ❌ Docker command failed", "Error occurred ❌, check the logs for
// details.". Docker's words never do, and they are what explains a failure.
bool is_dokploy_remark(std::string_view line) {
    return line.find("\xE2\x9C\x85") != std::string_view::npos || line.find("\xE2\x9D\x8C") != std::string_view::npos;
}

}  // namespace

std::string summarize_deploy_log(std::string_view log, std::size_t max_lines) {
    std::vector<std::string_view> kept;
    while (!log.empty()) {
        const auto end = log.find('\n');
        const auto line = trim(log.substr(0, end));
        if (!line.empty() && !is_banner(line) && !is_dokploy_remark(line)) {
            kept.push_back(line);
        }
        log = end == std::string_view::npos ? std::string_view() : log.substr(end + 1);
    }
    const auto first = kept.size() > max_lines ? kept.end() - static_cast<std::ptrdiff_t>(max_lines) : kept.begin();
    std::string result;
    for (auto it = first; it != kept.end(); ++it) {
        result += (result.empty() ? "" : std::string(k_separator)) + std::string(*it);
    }
    return result;
}

bool is_port_conflict(std::string_view text) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return lower.find("port is already allocated") != std::string::npos ||
           lower.find("address already in use") != std::string::npos;
}

}  // namespace dokploy_provider::provider
