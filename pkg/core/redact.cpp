// SPDX-License-Identifier: MIT
#include "pkg/core/redact.hpp"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <vector>

namespace dokploy_provider::core {
namespace {

constexpr std::string_view k_mask = "[REDACTED]";
constexpr std::size_t k_min_secret_length = 4;

struct SecretRegistry {
    std::mutex mutex;
    std::vector<std::string> secrets;
};

SecretRegistry& registry() {
    static SecretRegistry instance;
    return instance;
}

void replace_all(std::string& text, std::string_view needle) {
    for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + k_mask.size())) {
        text.replace(pos, needle.size(), k_mask);
    }
}

bool iequals_prefix(std::string_view text, std::size_t pos, std::string_view prefix) {
    if (text.size() - pos < prefix.size()) {
        return false;
    }
    return std::equal(prefix.begin(), prefix.end(), text.begin() + static_cast<std::ptrdiff_t>(pos),
                      [](char lower, char c) { return std::tolower(static_cast<unsigned char>(c)) == lower; });
}

// Masks the value of every "x-api-key:" header, whatever secrets were registered.
void mask_api_key_headers(std::string& text) {
    constexpr std::string_view header = "x-api-key:";
    for (std::size_t pos = 0; pos < text.size(); ++pos) {
        if (!iequals_prefix(text, pos, header)) {
            continue;
        }
        auto start = pos + header.size();
        while (start < text.size() && text[start] == ' ') {
            ++start;
        }
        auto end = text.find_first_of("\r\n", start);
        if (end == std::string::npos) {
            end = text.size();
        }
        text.replace(start, end - start, k_mask);
        pos = start + k_mask.size();
    }
}

// Masks every PEM or OpenSSH private-key block, from its BEGIN line to its END line (or the end of the text
// when the block is cut off).
void mask_private_key_blocks(std::string& text) {
    constexpr std::string_view begin_marker = "-----BEGIN ";
    constexpr std::string_view end_marker = "-----END ";
    constexpr std::string_view dashes = "-----";
    auto begin = text.find(begin_marker);
    while (begin != std::string::npos) {
        auto line_end = text.find('\n', begin);
        line_end = line_end == std::string::npos ? text.size() : line_end;
        if (text.substr(begin, line_end - begin).find("PRIVATE KEY") == std::string::npos) {
            begin = text.find(begin_marker, line_end);
            continue;
        }
        auto end = text.find(end_marker, line_end);
        if (end != std::string::npos) {
            end = text.find(dashes, end + end_marker.size());
        }
        end = end == std::string::npos ? text.size() : end + dashes.size();
        text.replace(begin, end - begin, k_mask);
        begin = text.find(begin_marker, begin + k_mask.size());
    }
}

// Masks the value after every "SSH_HOST_KEY" (the workspace's private host key, base64): as a YAML or JSON
// field, an environment assignment, or inside a JSON-escaped compose file ("SSH_HOST_KEY: \"...\"").
void mask_host_key_values(std::string& text) {
    constexpr std::string_view name = "SSH_HOST_KEY";
    constexpr std::string_view separators = "\"': =\\";
    const auto is_base64 = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '/' || c == '='; };
    for (auto pos = text.find(name); pos != std::string::npos; pos = text.find(name, pos + 1)) {
        auto start = pos + name.size();
        bool assigned = false;  // only "NAME: value" / "NAME=value", not the name in prose
        while (start < text.size() && separators.find(text[start]) != std::string_view::npos) {
            assigned = assigned || text[start] == ':' || text[start] == '=';
            ++start;
        }
        if (!assigned) {
            continue;
        }
        auto end = start;
        while (end < text.size() && is_base64(text[end])) {
            ++end;
        }
        if (end > start) {
            text.replace(start, end - start, k_mask);
        }
    }
}

}  // namespace

void register_secret(std::string_view secret) {
    if (secret.size() < k_min_secret_length) {
        return;
    }
    auto& reg = registry();
    const std::scoped_lock lock(reg.mutex);
    if (std::find(reg.secrets.begin(), reg.secrets.end(), secret) == reg.secrets.end()) {
        reg.secrets.emplace_back(secret);
        // Longest first, so a secret containing another is masked whole.
        std::sort(reg.secrets.begin(), reg.secrets.end(),
                  [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
    }
}

void clear_secrets() {
    auto& reg = registry();
    const std::scoped_lock lock(reg.mutex);
    reg.secrets.clear();
}

std::string redact(std::string_view text) {
    std::string result(text);
    {
        auto& reg = registry();
        const std::scoped_lock lock(reg.mutex);
        for (const auto& secret : reg.secrets) {
            replace_all(result, secret);
        }
    }
    mask_api_key_headers(result);
    mask_private_key_blocks(result);
    mask_host_key_values(result);
    return result;
}

}  // namespace dokploy_provider::core
