// SPDX-License-Identifier: MIT
#include "pkg/ssh/byte_queue.hpp"

#include <algorithm>
#include <string>
#include <string_view>

#include "tests/support/catch.hpp"

using dokploy_provider::ssh::ByteQueue;

namespace {

std::size_t push(ByteQueue& queue, std::string_view bytes) {
    const auto room = queue.writable();
    const auto count = std::min(room.size(), bytes.size());
    std::copy_n(bytes.data(), count, room.data());
    queue.commit(count);
    return count;
}

std::string pop(ByteQueue& queue, std::size_t count) {
    const auto data = queue.readable();
    std::string out(data.data(), std::min(count, data.size()));
    queue.consume(out.size());
    return out;
}

}  // namespace

TEST_CASE("ByteQueue is a bounded FIFO") {
    ByteQueue queue(8);
    CHECK(queue.empty());
    CHECK(queue.capacity() == 8);
    CHECK(push(queue, "abcdef") == 6);
    CHECK(push(queue, "ghijkl") == 2);  // only what fits
    CHECK(queue.full());
    CHECK(queue.writable().empty());
    CHECK(pop(queue, 3) == "abc");
    CHECK(queue.size() == 5);
    CHECK(pop(queue, 100) == "defgh");
    CHECK(queue.empty());
}

TEST_CASE("ByteQueue compacts so that free space is usable and order is kept") {
    ByteQueue queue(8);
    push(queue, "01234567");
    CHECK(pop(queue, 6) == "012345");
    // Only 2 bytes queued at the end of the buffer: writable() moves them to the front.
    CHECK(queue.writable().size() == 6);
    CHECK(push(queue, "89abcdef") == 6);
    CHECK(pop(queue, 8) == "6789abcd");
}

TEST_CASE("ByteQueue writable space is empty only when full") {
    ByteQueue queue(16);
    std::string expected;
    std::string got;
    char next = 'a';
    for (int round = 0; round < 200; ++round) {
        if (!queue.full()) {
            REQUIRE_FALSE(queue.writable().empty());
        }
        std::string chunk(static_cast<std::size_t>(round % 7 + 1), next);
        next = next == 'z' ? 'a' : static_cast<char>(next + 1);
        const auto pushed = push(queue, chunk);
        expected += chunk.substr(0, pushed);
        got += pop(queue, static_cast<std::size_t>(round % 5));
    }
    got += pop(queue, queue.size());
    CHECK(got == expected);
}
