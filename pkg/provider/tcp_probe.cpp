// SPDX-License-Identifier: MIT
#include "pkg/provider/tcp_probe.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <string_view>

#include "pkg/core/unique_fd.hpp"

namespace dokploy_provider::provider {
namespace {

struct AddrInfoDeleter {
    void operator()(addrinfo* info) const { ::freeaddrinfo(info); }
};

using Socket = core::UniqueFd;

// True when a non-blocking connect of `socket` to `address` completes within `timeout`.
bool connects(const Socket& socket, const addrinfo& address, core::Millis timeout) {
    if (socket.get() < 0) {
        return false;
    }
    ::fcntl(socket.get(), F_SETFL, ::fcntl(socket.get(), F_GETFL) | O_NONBLOCK);
    if (::connect(socket.get(), address.ai_addr, address.ai_addrlen) == 0) {
        return true;
    }
    if (errno != EINPROGRESS) {
        return false;
    }
    pollfd pfd{socket.get(), POLLOUT, 0};
    if (::poll(&pfd, 1, static_cast<int>(timeout.count())) != 1) {
        return false;
    }
    int error = 0;
    socklen_t length = sizeof(error);
    return ::getsockopt(socket.get(), SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error == 0;
}

// True when the connected `socket` sends "SSH-" within `timeout`.
bool sends_ssh_banner(const Socket& socket, core::Millis timeout) {
    pollfd pfd{socket.get(), POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(timeout.count())) != 1) {
        return false;
    }
    char buffer[4] = {};
    return ::recv(socket.get(), buffer, sizeof(buffer), MSG_WAITALL) == 4 && std::string_view(buffer, 4) == "SSH-";
}

using AddressList = std::unique_ptr<addrinfo, AddrInfoDeleter>;

AddressList resolve(const std::string& host, int port) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* raw = nullptr;
    if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &raw) != 0) {
        return AddressList(nullptr);
    }
    return AddressList(raw);
}

Socket open_socket(const addrinfo& address) {
    return Socket(::socket(address.ai_family, address.ai_socktype | SOCK_CLOEXEC, address.ai_protocol));
}

}  // namespace

bool tcp_port_looks_free(const std::string& host, int port, core::Millis timeout) {
    // An unresolvable host leaves the API's view of used ports as all we have.
    const auto list = resolve(host, port);
    for (const auto* address = list.get(); address != nullptr; address = address->ai_next) {
        if (connects(open_socket(*address), *address, timeout)) {
            return false;
        }
    }
    return true;
}

bool ssh_banner_answers(const std::string& host, int port, core::Millis timeout) {
    const auto list = resolve(host, port);
    for (const auto* address = list.get(); address != nullptr; address = address->ai_next) {
        const auto socket = open_socket(*address);
        if (connects(socket, *address, timeout)) {
            return sends_ssh_banner(socket, timeout);
        }
    }
    return false;
}

}  // namespace dokploy_provider::provider
