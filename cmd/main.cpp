// SPDX-License-Identifier: MIT
// Entry point: logging first, then parse and dispatch. The one place where failures become exit codes.
#include <spdlog/spdlog.h>

#ifdef _WIN32
#include <fcntl.h>
#include <io.h>
#endif

#include <cstring>
#include <exception>
#include <iostream>

#include "cmd/app.hpp"
#include "pkg/core/errors.hpp"
#include "pkg/core/exit_code.hpp"
#include "pkg/core/process.hpp"
#include "pkg/core/redact.hpp"
#include "pkg/log/logging.hpp"
#include "pkg/provider/runtime.hpp"
#include "pkg/provider/sub_options.hpp"

namespace {

using dokploy_provider::core::ExitCode;
using dokploy_provider::core::to_int;

// The log level is decided before parsing so that parsing itself can log.
bool verbose_requested(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "-v") == 0 || std::strcmp(argv[i], "--verbose") == 0) {
            return true;
        }
    }
    return dokploy_provider::core::devpod_debug_enabled(dokploy_provider::core::process_env);
}

// stdin and stdout carry DevPod's byte streams: no CRLF translation on Windows.
void use_binary_standard_streams() {
#ifdef _WIN32
    ::_setmode(::_fileno(stdin), _O_BINARY);
    ::_setmode(::_fileno(stdout), _O_BINARY);
#endif
}

}  // namespace

int main(int argc, char** argv) {
    namespace dp = dokploy_provider;
    dp::core::forbid_core_dumps();  // before the token, from the environment, is ever read
    use_binary_standard_streams();
    dp::log::setup(verbose_requested(argc, argv) ? dp::log::Verbosity::debug : dp::log::Verbosity::normal);
    dp::cmd::AppContext context{dp::core::process_env};
    try {
        const dp::provider::Runtime runtime;  // process-wide library initialisation (curl, libssh)
        auto app = dp::cmd::build_app(context);
        try {
            app->parse(argc, argv);
        } catch (const CLI::CallForHelp& e) {
            return app->exit(e);
        } catch (const CLI::CallForAllHelp& e) {
            return app->exit(e);
        } catch (const CLI::ParseError& e) {
            spdlog::error("{} (run 'dokploy-provider --help' for usage)", dp::core::redact(e.what()));
            return to_int(ExitCode::usage);
        }
        return context.exit_code;
    } catch (const dp::core::Error& e) {
        if (context.empty_options_on_failure) {
            // DevPod aborts `provider add` when the subOptionsCommand fails: offer no choices instead.
            spdlog::warn("no choices from Dokploy: {}", e.what());
            std::cout << dp::provider::sub_options_without_choices() << std::flush;
            return to_int(ExitCode::success);
        }
        spdlog::error("{}", e.what());
        // 255 is `command`'s code for SSH failures (as OpenSSH's ssh); elsewhere they are plain failures.
        if (e.exit_code() == ExitCode::ssh_failure && !context.ssh_failures_exit_255) {
            return to_int(ExitCode::failure);
        }
        return to_int(e.exit_code());
    } catch (const std::exception& e) {
        spdlog::error("unexpected failure: {}", dp::core::redact(e.what()));
        return to_int(ExitCode::failure);
    }
}
