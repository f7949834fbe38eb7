// SPDX-License-Identifier: MIT
// POSIX only: the Unix socket of a shared connection.
#pragma once

#include <filesystem>
#include <optional>

#include "pkg/core/unique_fd.hpp"

namespace dokploy_provider::ssh {

// Which file a path named when we created it (device and inode), to remove only our own socket.
struct SocketIdentity {
    unsigned long long device = 0;
    unsigned long long inode = 0;
};

// True when `path` fits in a sockaddr_un.
[[nodiscard]] bool socket_path_fits(const std::filesystem::path& path);

// A non-blocking listening socket at `path`, mode 0600 (created under umask 077); invalid on failure
// (errno set). Fails when something already exists there.
[[nodiscard]] core::UniqueFd listen_on(const std::filesystem::path& path);

// A blocking connection to the socket at `path`; invalid on failure (errno set: ENOENT, ECONNREFUSED, ...).
[[nodiscard]] core::UniqueFd connect_to(const std::filesystem::path& path);

[[nodiscard]] SocketIdentity socket_identity(const std::filesystem::path& path);

// Removes `path` only while it is still the file `identity` describes.
void remove_socket_if(const std::filesystem::path& path, const SocketIdentity& identity) noexcept;

// True when the process at the other end of a connected Unix socket runs as our user.
[[nodiscard]] bool peer_is_us(int socket);

void set_nonblocking(int fd);

}  // namespace dokploy_provider::ssh
