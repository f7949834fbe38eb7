// SPDX-License-Identifier: MIT
// Captures spdlog output of the default logger for the lifetime of the object.
#pragma once

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <sstream>
#include <string>

namespace dokploy_provider::testing {

class LogCapture {
public:
    explicit LogCapture(spdlog::level::level_enum level) : m_previous(spdlog::default_logger()) {
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(m_stream);
        auto logger = std::make_shared<spdlog::logger>("capture", std::move(sink));
        logger->set_level(level);
        logger->set_pattern("%l %v");
        spdlog::set_default_logger(std::move(logger));
    }
    ~LogCapture() { spdlog::set_default_logger(m_previous); }
    LogCapture(const LogCapture&) = delete;
    LogCapture& operator=(const LogCapture&) = delete;

    [[nodiscard]] std::string text() const { return m_stream.str(); }

private:
    std::ostringstream m_stream;
    std::shared_ptr<spdlog::logger> m_previous;
};

}  // namespace dokploy_provider::testing
