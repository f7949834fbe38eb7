// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>

#include "pkg/core/duration.hpp"

namespace dokploy_provider::http {

// The clock seam used by retries: waiting and measuring elapsed time. Tests substitute a fake that records
// sleeps and advances a virtual clock.
class Sleeper {
public:
    virtual ~Sleeper() = default;
    // Blocks the calling thread for `duration` (no-op when zero or negative).
    virtual void sleep(core::Millis duration) = 0;
    // A monotonic time point; the default is std::chrono::steady_clock.
    [[nodiscard]] virtual std::chrono::steady_clock::time_point now() { return std::chrono::steady_clock::now(); }
};

// Really sleeps (std::this_thread::sleep_for) and reads std::chrono::steady_clock.
class RealSleeper final : public Sleeper {
public:
    void sleep(core::Millis duration) override;
};

}  // namespace dokploy_provider::http
