// SPDX-License-Identifier: MIT
#include "pkg/provider/tcp_probe.hpp"

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#endif

#include <memory>
#include <string>
#include <string_view>

#include "pkg/core/net.hpp"

namespace dokploy_provider::provider {
namespace {

namespace net = core::net;

struct AddrInfoDeleter {
    void operator()(addrinfo* info) const { ::freeaddrinfo(info); }
};

int timeout_ms(core::Millis timeout) {
    return static_cast<int>(timeout.count());
}

enum class Connect { done, in_progress, failed };

// Starts a non-blocking connect of `socket` to `address`.
Connect start_connect(const net::UniqueSocket& socket, const addrinfo& address) {
    if (!socket.valid() || !net::set_nonblocking(socket.get())) {
        return Connect::failed;
    }
    if (::connect(socket.get(), address.ai_addr, static_cast<int>(address.ai_addrlen)) == 0) {
        return Connect::done;
    }
    return net::connect_in_progress() ? Connect::in_progress : Connect::failed;
}

// True when a connect that start_connect() left in progress completes within `timeout`.
bool finish_connect(const net::UniqueSocket& socket, core::Millis timeout) {
    if (net::poll_one(socket.get(), POLLOUT, timeout_ms(timeout)) != 1) {
        return false;
    }
    int error = 0;
    socklen_t length = sizeof(error);
    return ::getsockopt(socket.get(), SOL_SOCKET, SO_ERROR, reinterpret_cast<char*>(&error), &length) == 0 &&
           error == 0;
}

// True when a non-blocking connect of `socket` to `address` completes within `timeout`.
bool connects(const net::UniqueSocket& socket, const addrinfo& address, core::Millis timeout) {
    const auto started = start_connect(socket, address);
    return started == Connect::done || (started == Connect::in_progress && finish_connect(socket, timeout));
}

// True when the connected `socket` sends "SSH-" within `timeout`.
bool sends_ssh_banner(const net::UniqueSocket& socket, core::Millis timeout) {
    std::string banner;
    char buffer[4] = {};
    while (banner.size() < 4) {
        if (net::poll_one(socket.get(), POLLIN, timeout_ms(timeout)) != 1) {
            return false;
        }
        const auto n = ::recv(socket.get(), buffer, static_cast<int>(4 - banner.size()), 0);
        if (n <= 0) {
            return false;
        }
        banner.append(buffer, static_cast<std::size_t>(n));
    }
    return banner == "SSH-";
}

using AddressList = std::unique_ptr<addrinfo, AddrInfoDeleter>;

AddressList resolve(const std::string& host, int port) {
    if (!net::ensure_started()) {
        return AddressList(nullptr);
    }
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* raw = nullptr;
    if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &raw) != 0) {
        return AddressList(nullptr);
    }
    return AddressList(raw);
}

}  // namespace

bool tcp_port_looks_free(const std::string& host, int port, core::Millis timeout) {
    // An unresolvable host leaves the API's view of used ports as all we have.
    const auto list = resolve(host, port);
    for (const auto* address = list.get(); address != nullptr; address = address->ai_next) {
        if (connects(net::open_stream_socket(address->ai_family), *address, timeout)) {
            return false;
        }
    }
    return true;
}

bool ssh_banner_answers(const std::string& host, int port, core::Millis timeout) {
    const auto list = resolve(host, port);
    for (const auto* address = list.get(); address != nullptr; address = address->ai_next) {
        const auto socket = net::open_stream_socket(address->ai_family);
        if (connects(socket, *address, timeout)) {
            return sends_ssh_banner(socket, timeout);
        }
    }
    return false;
}

struct SshGreetingProbe::State {
    std::string host;
    int port = 0;
    AddressList addresses{nullptr};
    net::UniqueSocket socket;
    Connect first = Connect::failed;
};

SshGreetingProbe::SshGreetingProbe(const std::string& host, int port) : m_state(std::make_unique<State>()) {
    m_state->host = host;
    m_state->port = port;
    m_state->addresses = resolve(host, port);
    if (const auto* first = m_state->addresses.get()) {
        m_state->socket = net::open_stream_socket(first->ai_family);
        m_state->first = start_connect(m_state->socket, *first);
    }
}

SshGreetingProbe::~SshGreetingProbe() = default;

const std::string& SshGreetingProbe::host() const noexcept {
    return m_state->host;
}

int SshGreetingProbe::port() const noexcept {
    return m_state->port;
}

bool SshGreetingProbe::answers(core::Millis timeout) {
    const auto* first = m_state->addresses.get();
    if (first == nullptr) {
        return false;
    }
    if (m_state->first == Connect::done ||
        (m_state->first == Connect::in_progress && finish_connect(m_state->socket, timeout))) {
        return sends_ssh_banner(m_state->socket, timeout);
    }
    for (const auto* address = first->ai_next; address != nullptr; address = address->ai_next) {
        const auto socket = net::open_stream_socket(address->ai_family);
        if (connects(socket, *address, timeout)) {
            return sends_ssh_banner(socket, timeout);
        }
    }
    return false;
}

}  // namespace dokploy_provider::provider
