// SPDX-License-Identifier: MIT
#include "pkg/http/sleeper.hpp"

#include <thread>

namespace dokploy_provider::http {

void RealSleeper::sleep(core::Millis duration) {
    if (duration.count() > 0) {
        std::this_thread::sleep_for(duration);
    }
}

}  // namespace dokploy_provider::http
