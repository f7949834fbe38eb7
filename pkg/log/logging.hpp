// SPDX-License-Identifier: MIT
#pragma once

#include <string_view>

namespace dokploy_provider::log {

enum class Verbosity { normal, debug };

// Installs the process logger: everything goes to stderr (stdout belongs to DevPod), every line passes
// through core::redact(). `normal` shows info and above, `debug` everything down to trace.
// Call once in main, before parsing arguments.
void setup(Verbosity verbosity);

// Sends every log line below error level (progress, warnings, debug) to stdout from now on; errors stay on
// stderr. For `init` only: DevPod shows init's stdout as info and its stderr as errors, and logs both
// streams of every other subcommand as info (where stdout is protocol: `status`'s word, `command`'s bytes).
void progress_to_stdout();

// Logs a block of third-party debug text (libcurl, libssh) at debug level, one log line per text line,
// each prefixed with `source`. Does nothing unless debug logging is on.
void debug_lines(std::string_view source, std::string_view text);

}  // namespace dokploy_provider::log
