// SPDX-License-Identifier: MIT
#pragma once

#include "pkg/core/env.hpp"

namespace dokploy_provider::provider {

// The use cases behind each subcommand. Each reads its options from `env`, returns the process exit code
// for an outcome, and throws core::Error (with its exit code) for a failure.
[[nodiscard]] int run_init(const core::EnvLookup& env);
[[nodiscard]] int run_create(const core::EnvLookup& env);
[[nodiscard]] int run_delete(const core::EnvLookup& env);
[[nodiscard]] int run_start(const core::EnvLookup& env);
// Who asks for a stop: DevPod on the user's computer, or DevPod's agent in the machine (auto-stop hook,
// `stop --from-machine`), which falls back to stopping the machine from inside when Dokploy cannot do it.
enum class StopOrigin { devpod, machine };
[[nodiscard]] int run_stop(const core::EnvLookup& env, StopOrigin origin);
[[nodiscard]] int run_status(const core::EnvLookup& env);
[[nodiscard]] int run_command(const core::EnvLookup& env);
// `options`: prints DevPod sub options with choices from Dokploy (sub_options.hpp) on stdout. Throws like the
// others; the caller prints empty_sub_options() instead of failing (a failing command aborts provider add).
[[nodiscard]] int run_options(const core::EnvLookup& env);

}  // namespace dokploy_provider::provider
