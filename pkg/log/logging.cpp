// SPDX-License-Identifier: MIT
#include "pkg/log/logging.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

#include "pkg/core/redact.hpp"
#include "pkg/core/text.hpp"

namespace dokploy_provider::log {
namespace {

// Longest message a log line carries (traced bodies are cut well before this).
constexpr std::size_t k_max_message = std::size_t{16} * 1024;

// Where lines below error level go: stderr, or stdout after progress_to_stdout().
std::atomic<std::FILE*> g_progress_stream{nullptr};

// A sink that writes every message as one redacted line: no secret, no line break, no control character can
// reach the terminal or forge another log line. Errors always go to stderr.
class RedactingSink final : public spdlog::sinks::base_sink<std::mutex> {
protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        const auto payload =
            core::one_line(core::redact(std::string_view(msg.payload.data(), msg.payload.size())), k_max_message);
        auto clean = msg;
        clean.payload = spdlog::string_view_t(payload.data(), payload.size());
        spdlog::memory_buf_t formatted;
        formatter_->format(clean, formatted);
        const std::string_view line(formatted.data(), formatted.size());
        std::FILE* progress = g_progress_stream.load();
        std::FILE* stream = msg.level >= spdlog::level::err || progress == nullptr ? stderr : progress;
        // Nothing sensible is left to do when the stream itself fails.
        (void)std::fwrite(line.data(), 1, line.size(), stream);
    }
    void flush_() override {
        (void)std::fflush(stderr);
        if (std::FILE* progress = g_progress_stream.load()) {
            (void)std::fflush(progress);
        }
    }
};

}  // namespace

void setup(Verbosity verbosity) {
    auto sink = std::make_shared<RedactingSink>();
    auto logger = std::make_shared<spdlog::logger>("dokploy", std::move(sink));
    if (verbosity == Verbosity::debug) {
        logger->set_level(spdlog::level::trace);
        logger->set_pattern("%H:%M:%S.%e %^%-5l%$ %v");
    } else {
        logger->set_level(spdlog::level::info);
        logger->set_pattern("%^%l%$: %v");
    }
    logger->flush_on(spdlog::level::trace);
    spdlog::set_default_logger(std::move(logger));
}

void progress_to_stdout() { g_progress_stream.store(stdout); }

void debug_lines(std::string_view source, std::string_view text) {
    if (!spdlog::should_log(spdlog::level::debug)) {
        return;
    }
    while (!text.empty()) {
        const auto end = text.find('\n');
        auto line = text.substr(0, end);
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        if (!line.empty()) {
            spdlog::debug("{}: {}", source, line);
        }
        if (end == std::string_view::npos) {
            break;
        }
        text.remove_prefix(end + 1);
    }
}

}  // namespace dokploy_provider::log
