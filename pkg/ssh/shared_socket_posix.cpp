// SPDX-License-Identifier: MIT
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>
#include <utility>

#include "pkg/ssh/shared_socket.hpp"

namespace dokploy_provider::ssh {
namespace {

std::optional<sockaddr_un> address_of(const std::filesystem::path& path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const std::string text = path.string();
    if (text.empty() || text.size() >= sizeof(address.sun_path)) {
        return std::nullopt;
    }
    std::memcpy(address.sun_path, text.c_str(), text.size() + 1);
    return address;
}

// A fresh Unix stream socket (close-on-exec), with `address` set to `path`; invalid when the path does not fit
// (errno ENAMETOOLONG) or no socket can be had.
core::UniqueFd unix_socket_for(const std::filesystem::path& path, sockaddr_un& address) {
    const auto fitted = address_of(path);
    if (!fitted) {
        errno = ENAMETOOLONG;
        return core::UniqueFd{};
    }
    address = *fitted;
    core::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM, 0));
    if (fd.valid()) {
        ::fcntl(fd.get(), F_SETFD, FD_CLOEXEC);
    }
    return fd;
}

}  // namespace

bool socket_path_fits(const std::filesystem::path& path) {
    return address_of(path).has_value();
}

core::UniqueFd listen_on(const std::filesystem::path& path) {
    sockaddr_un address{};
    auto fd = unix_socket_for(path, address);
    if (!fd.valid()) {
        return fd;
    }
    const mode_t saved = ::umask(077);
    const int bound = ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address));
    ::umask(saved);
    if (bound != 0 || ::listen(fd.get(), 16) != 0) {
        return core::UniqueFd{};
    }
    set_nonblocking(fd.get());
    return fd;
}

core::UniqueFd connect_to(const std::filesystem::path& path) {
    sockaddr_un address{};
    auto fd = unix_socket_for(path, address);
    if (!fd.valid()) {
        return fd;
    }
    int rc = 0;
    do {
        rc = ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address));
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) {
        return core::UniqueFd{};
    }
    return fd;
}

SocketIdentity socket_identity(const std::filesystem::path& path) {
    struct stat info {};
    if (::lstat(path.c_str(), &info) != 0) {
        return {};
    }
    return {static_cast<unsigned long long>(info.st_dev), static_cast<unsigned long long>(info.st_ino)};
}

void remove_socket_if(const std::filesystem::path& path, const SocketIdentity& identity) noexcept {
    const auto now = socket_identity(path);
    if (identity.inode != 0 && now.device == identity.device && now.inode == identity.inode) {
        ::unlink(path.c_str());
    }
}

bool peer_is_us(int socket) {
#if defined(__linux__)
    ucred credentials{};
    socklen_t size = sizeof(credentials);
    if (::getsockopt(socket, SOL_SOCKET, SO_PEERCRED, &credentials, &size) != 0) {
        return false;
    }
    return credentials.uid == ::geteuid();
#else
    uid_t uid = 0;
    gid_t gid = 0;
    if (::getpeereid(socket, &uid, &gid) != 0) {
        return false;
    }
    return uid == ::geteuid();
#endif
}

void set_nonblocking(int fd) {
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0) {
        ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    }
}

}  // namespace dokploy_provider::ssh
