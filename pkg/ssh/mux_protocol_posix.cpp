// SPDX-License-Identifier: MIT
#include <array>
#include <cerrno>
#include <cstring>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "pkg/ssh/mux_protocol.hpp"

namespace dokploy_provider::ssh::mux {
namespace {

constexpr std::size_t k_header = 5;                    // 4-byte big-endian body length, then the type
constexpr std::uint32_t k_max_body = 8 * 1024 * 1024;  // commands are at most a few hundred KiB
constexpr std::size_t k_max_fds = 3;

bool known_type(char type) {
    switch (static_cast<Type>(type)) {
        case Type::run:
        case Type::signal:
        case Type::quit:
        case Type::ready:
        case Type::started:
        case Type::exit:
        case Type::retry:
        case Type::fail:
            return true;
    }
    return false;
}

bool wait_writable(int socket) {
    pollfd entry{socket, POLLOUT, 0};
    for (;;) {
        const int n = ::poll(&entry, 1, 10'000);
        if (n > 0) {
            return (entry.revents & (POLLERR | POLLHUP | POLLNVAL)) == 0;
        }
        if (n == 0 || errno != EINTR) {
            return false;
        }
    }
}

}  // namespace

bool send_frame(int socket, Type type, std::string_view body, const std::vector<int>& fds) {
    std::string frame(k_header, '\0');
    const auto size = static_cast<std::uint32_t>(body.size());
    frame[0] = static_cast<char>((size >> 24) & 0xff);
    frame[1] = static_cast<char>((size >> 16) & 0xff);
    frame[2] = static_cast<char>((size >> 8) & 0xff);
    frame[3] = static_cast<char>(size & 0xff);
    frame[4] = static_cast<char>(type);
    frame.append(body);

    std::size_t sent = 0;
    bool fds_sent = fds.empty();
    while (sent < frame.size()) {
        iovec iov{frame.data() + sent, frame.size() - sent};
        msghdr message{};
        message.msg_iov = &iov;
        message.msg_iovlen = 1;
        alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(int) * k_max_fds)> control{};
        if (!fds_sent) {
            message.msg_control = control.data();
            message.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
            cmsghdr* header = CMSG_FIRSTHDR(&message);
            header->cmsg_level = SOL_SOCKET;
            header->cmsg_type = SCM_RIGHTS;
            header->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
            std::memcpy(CMSG_DATA(header), fds.data(), sizeof(int) * fds.size());
        }
        const ssize_t n = ::sendmsg(socket, &message, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if ((errno == EAGAIN || errno == EWOULDBLOCK) && wait_writable(socket)) {
                continue;
            }
            return false;
        }
        fds_sent = true;
        sent += static_cast<std::size_t>(n);
    }
    return true;
}

IoStatus FrameReader::read_from(int socket) {
    std::array<char, std::size_t{16} * 1024> chunk{};
    iovec iov{chunk.data(), chunk.size()};
    msghdr message{};
    message.msg_iov = &iov;
    message.msg_iovlen = 1;
    alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(int) * k_max_fds)> control{};
    message.msg_control = control.data();
    message.msg_controllen = control.size();
#ifdef MSG_CMSG_CLOEXEC
    const int flags = MSG_CMSG_CLOEXEC;
#else
    const int flags = 0;
#endif
    ssize_t n = 0;
    do {
        n = ::recvmsg(socket, &message, flags);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        return (errno == EAGAIN || errno == EWOULDBLOCK) ? IoStatus::would_block : IoStatus::failed;
    }
    for (cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr; header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_RIGHTS) {
            const std::size_t count = (header->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            for (std::size_t i = 0; i < count; ++i) {
                int fd = -1;
                std::memcpy(&fd, CMSG_DATA(header) + i * sizeof(int), sizeof(int));
                m_fds.emplace_back(fd);
            }
        }
    }
    if ((message.msg_flags & MSG_CTRUNC) != 0 || m_fds.size() > k_max_fds) {
        return IoStatus::failed;
    }
    if (n == 0) {
        return IoStatus::end;
    }
    m_buffer.append(chunk.data(), static_cast<std::size_t>(n));
    if (m_buffer.size() >= k_header) {
        const auto byte = [&](std::size_t i) {
            return static_cast<std::uint32_t>(static_cast<unsigned char>(m_buffer[i]));
        };
        const std::uint32_t size = (byte(0) << 24) | (byte(1) << 16) | (byte(2) << 8) | byte(3);
        if (size > k_max_body || !known_type(m_buffer[4])) {
            return IoStatus::failed;
        }
    }
    return IoStatus::ok;
}

std::optional<Frame> FrameReader::next() {
    if (m_buffer.size() < k_header) {
        return std::nullopt;
    }
    const auto byte = [&](std::size_t i) {
        return static_cast<std::uint32_t>(static_cast<unsigned char>(m_buffer[i]));
    };
    const std::uint32_t size = (byte(0) << 24) | (byte(1) << 16) | (byte(2) << 8) | byte(3);
    if (m_buffer.size() < k_header + size) {
        return std::nullopt;
    }
    Frame frame{static_cast<Type>(m_buffer[4]), m_buffer.substr(k_header, size), {}};
    m_buffer.erase(0, k_header + size);
    if (frame.type == Type::run) {
        frame.fds = std::move(m_fds);
        m_fds.clear();
    }
    return frame;
}

}  // namespace dokploy_provider::ssh::mux
