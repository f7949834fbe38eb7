// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <span>

namespace dokploy_provider::ssh {

// A fixed-capacity FIFO of bytes for one direction of the tunnel: producers write into `writable()` and
// `commit()`, consumers read `readable()` and `consume()`. It never grows, which is what bounds memory
// (flow control: a full queue means "stop reading the source"). Bytes keep their order exactly.
class ByteQueue {
public:
    // The storage is not initialised: pages cost memory only once bytes flow through them.
    explicit ByteQueue(std::size_t capacity)
        : m_buffer(std::make_unique_for_overwrite<char[]>(capacity)), m_capacity(capacity) {}

    [[nodiscard]] std::size_t size() const noexcept { return m_end - m_begin; }
    [[nodiscard]] std::size_t capacity() const noexcept { return m_capacity; }
    [[nodiscard]] bool empty() const noexcept { return m_begin == m_end; }
    [[nodiscard]] bool full() const noexcept { return size() == capacity(); }

    // The queued bytes, oldest first.
    [[nodiscard]] std::span<const char> readable() const noexcept { return {m_buffer.get() + m_begin, size()}; }

    // Free space after the queued bytes; empty only when full(). The queued bytes are moved to the front
    // first when less than half of the capacity is left after them.
    [[nodiscard]] std::span<char> writable() noexcept {
        if (m_begin > 0 && m_capacity - m_end < m_capacity / 2) {
            std::memmove(m_buffer.get(), m_buffer.get() + m_begin, size());
            m_end -= m_begin;
            m_begin = 0;
        }
        return {m_buffer.get() + m_end, m_capacity - m_end};
    }

    // Appends `count` bytes just written into writable(); count <= writable().size().
    void commit(std::size_t count) noexcept { m_end += count; }

    // Drops the `count` oldest bytes; count <= size().
    void consume(std::size_t count) noexcept {
        m_begin += count;
        if (m_begin == m_end) {
            m_begin = m_end = 0;
        }
    }

private:
    std::unique_ptr<char[]> m_buffer;
    std::size_t m_capacity;
    std::size_t m_begin = 0;
    std::size_t m_end = 0;
};

}  // namespace dokploy_provider::ssh
