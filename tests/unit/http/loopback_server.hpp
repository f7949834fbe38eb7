// SPDX-License-Identifier: MIT
// A minimal HTTP/1.1 server on 127.0.0.1 for exercising CurlHttpClient offline: one thread per connection,
// each request answered with the next canned raw response (keeping the connection open unless the response
// says otherwise); the raw requests are recorded.
#pragma once

#include <arpa/inet.h>
#include <atomic>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <netinet/in.h>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace dokploy_provider::testing {

class LoopbackServer {
public:
    static constexpr const char* k_close = "<close>";

    // `responses`: raw HTTP responses, one per request; an empty string means "read the request and never
    // answer" (for timeouts), k_close "read the request and close the connection without answering". With `blurt`, each
    // connection gets the next response as soon as it is accepted, before anything is read, and is then closed (a
    // plain-text peer for a TLS client).
    explicit LoopbackServer(std::deque<std::string> responses, bool blurt = false)
        : m_responses(std::move(responses)), m_blurt(blurt) {
        m_listener = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        address.sin_port = 0;
        if (m_listener < 0 || ::bind(m_listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
            ::listen(m_listener, 8) != 0) {
            std::abort();
        }
        socklen_t length = sizeof address;
        ::getsockname(m_listener, reinterpret_cast<sockaddr*>(&address), &length);
        m_port = ntohs(address.sin_port);
        m_thread = std::thread([this] { serve(); });
    }
    ~LoopbackServer() {
        m_stop = true;
        m_thread.join();
        ::close(m_listener);
    }
    LoopbackServer(const LoopbackServer&) = delete;
    LoopbackServer& operator=(const LoopbackServer&) = delete;

    [[nodiscard]] int port() const { return m_port; }
    [[nodiscard]] std::string base() const { return "http://127.0.0.1:" + std::to_string(m_port); }
    [[nodiscard]] std::vector<std::string> requests() const {
        const std::scoped_lock lock(m_mutex);
        return m_requests;
    }
    [[nodiscard]] int connections() const { return m_connections; }

private:
    bool wait_readable(int fd) const {
        while (!m_stop) {
            pollfd entry{fd, POLLIN, 0};
            if (::poll(&entry, 1, 20) > 0) {
                return true;
            }
        }
        return false;
    }

    // Reads one request (headers plus Content-Length body); false when the peer closed.
    bool read_request(int fd, std::string& buffer, std::string& request) {
        while (true) {
            const auto header_end = buffer.find("\r\n\r\n");
            if (header_end != std::string::npos) {
                std::size_t length = 0;
                const auto pos = buffer.find("Content-Length: ");
                if (pos != std::string::npos && pos < header_end) {
                    length = std::stoul(buffer.substr(pos + 16));
                }
                if (buffer.size() >= header_end + 4 + length) {
                    request = buffer.substr(0, header_end + 4 + length);
                    buffer.erase(0, request.size());
                    return true;
                }
            }
            if (!wait_readable(fd)) {
                return false;
            }
            char chunk[4096];
            const auto got = ::recv(fd, chunk, sizeof chunk, 0);
            if (got <= 0) {
                return false;
            }
            buffer.append(chunk, static_cast<std::size_t>(got));
        }
    }

    void serve() {
        std::vector<std::thread> handlers;
        while (!m_stop) {
            if (!wait_readable(m_listener)) {
                break;
            }
            const int fd = ::accept(m_listener, nullptr, nullptr);
            if (fd >= 0) {
                ++m_connections;
                handlers.emplace_back([this, fd] { handle(fd); });
            }
        }
        for (auto& handler : handlers) {
            handler.join();
        }
    }

    std::string next_response() {
        const std::scoped_lock lock(m_mutex);
        if (m_responses.empty()) {
            return {};
        }
        auto response = m_responses.front();
        m_responses.pop_front();
        return response;
    }

    void handle(int fd) {
        if (m_blurt) {
            const auto response = next_response();
            ::send(fd, response.data(), response.size(), MSG_NOSIGNAL);
            ::close(fd);
            return;
        }
        std::string buffer;
        std::string request;
        while (read_request(fd, buffer, request)) {
            {
                const std::scoped_lock lock(m_mutex);
                m_requests.push_back(request);
            }
            const auto response = next_response();
            if (response.empty()) {
                char sink[256];
                while (wait_readable(fd) && ::recv(fd, sink, sizeof sink, 0) > 0) {
                    // hold the connection open, unanswered, until the client gives up
                }
                break;
            }
            if (response == k_close) {
                break;
            }
            ::send(fd, response.data(), response.size(), MSG_NOSIGNAL);
            if (response.find("Connection: close") != std::string::npos) {
                break;
            }
        }
        ::close(fd);
    }

    int m_listener = -1;
    int m_port = 0;
    std::atomic<bool> m_stop{false};
    std::atomic<int> m_connections{0};
    mutable std::mutex m_mutex;
    std::deque<std::string> m_responses;
    bool m_blurt = false;
    std::vector<std::string> m_requests;
    std::thread m_thread;
};

}  // namespace dokploy_provider::testing
