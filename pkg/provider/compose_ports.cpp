// SPDX-License-Identifier: MIT
#include "pkg/provider/compose_ports.hpp"

#include <algorithm>
#include <regex>
#include <string>

namespace dokploy_provider::provider {
namespace {

constexpr int k_max_port = 65535;
constexpr int k_max_range = 1024;  // a wider published range is not believable; ignore it

// "[ip:]host[-host]:container[-container][/proto]" as an item of a ports list.
const std::regex& short_syntax() {
    static const std::regex pattern(
        R"((?:^|[\s"'\[,-])(?:(?:\d{1,3}\.){3}\d{1,3}:|\[[0-9A-Fa-f:.]{2,45}\]:)?(\d{1,5})(?:-(\d{1,5}))?:\d{1,5}(?:-\d{1,5})?(?:/(?:tcp|udp|sctp))?(?=$|[\s"',\]]))");
    return pattern;
}

// "published: 2222" / "published: "2222-2230"" / JSON "published": 2222 in long syntax.
const std::regex& long_syntax() {
    static const std::regex pattern(R"(published["']?\s*:\s*["']?(\d{1,5})(?:-(\d{1,5}))?)");
    return pattern;
}

void add_range(std::vector<int>& ports, const std::string& low_text, const std::string& high_text) {
    const int low = std::stoi(low_text);
    const int high = high_text.empty() ? low : std::stoi(high_text);
    if (low < 1 || high > k_max_port || high < low || high - low > k_max_range) {
        return;
    }
    for (int port = low; port <= high; ++port) {
        ports.push_back(port);
    }
}

void scan(std::vector<int>& ports, const std::string& line, const std::regex& pattern) {
    for (std::sregex_iterator it(line.begin(), line.end(), pattern), end; it != end; ++it) {
        add_range(ports, (*it)[1].str(), (*it)[2].str());
    }
}

// "[ip:]host:22[/tcp]" as an item of a ports list: group 1 is the host port.
const std::regex& ssh_mapping() {
    static const std::regex pattern(
        R"((?:^|[\s"'\[,-])(?:(?:\d{1,3}\.){3}\d{1,3}:|\[[0-9A-Fa-f:.]{2,45}\]:)?(\d{1,5}):22(?:/tcp)?(?=$|[\s"',\]]))");
    return pattern;
}

}  // namespace

std::optional<int> published_ssh_port(std::string_view compose_file) {
    std::size_t start = 0;
    while (start < compose_file.size()) {
        auto end = compose_file.find_first_of("\n,", start);
        end = end == std::string_view::npos ? compose_file.size() : end;
        std::string line(compose_file.substr(start, std::min<std::size_t>(end - start, 4096)));
        line.resize(std::min(line.size(), line.find(" #")));
        std::smatch match;
        if (std::regex_search(line, match, ssh_mapping())) {
            const int port = std::stoi(match[1].str());
            if (port >= 1 && port <= k_max_port) {
                return port;
            }
        }
        start = end + 1;
    }
    return std::nullopt;
}

std::vector<int> published_host_ports(std::string_view compose_file) {
    std::vector<int> ports;
    // Items are scanned one at a time: split on newlines and on the commas of flow sequences.
    std::size_t start = 0;
    while (start <= compose_file.size()) {
        auto end = compose_file.find_first_of("\n,", start);
        end = end == std::string_view::npos ? compose_file.size() : end;
        std::string line(compose_file.substr(start, end - start));
        if (const auto hash = line.find(" #"); hash != std::string::npos) {
            line.resize(hash);
        }
        if (line.size() <= 4096) {  // a pathological item cannot slow the scan down
            scan(ports, line, short_syntax());
            scan(ports, line, long_syntax());
        }
        start = end + 1;
    }
    std::sort(ports.begin(), ports.end());
    ports.erase(std::unique(ports.begin(), ports.end()), ports.end());
    return ports;
}

}  // namespace dokploy_provider::provider
