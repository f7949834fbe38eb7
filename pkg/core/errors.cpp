// SPDX-License-Identifier: MIT
#include "pkg/core/errors.hpp"

#include <utility>

#include "pkg/core/redact.hpp"
#include "pkg/core/text.hpp"

namespace dokploy_provider::core {

Error::Error(const std::string& message, ExitCode code)
    : std::runtime_error(one_line(redact(message))), m_code(code) {}

ApiError::ApiError(const std::string& message, std::string endpoint, long http_status, std::string server_code)
    : Error(message),
      m_endpoint(std::move(endpoint)),
      m_http_status(http_status),
      m_server_code(std::move(server_code)) {}

}  // namespace dokploy_provider::core
