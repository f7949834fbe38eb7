// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>

namespace dokploy_provider::core {

// Registers a secret (API token, key material) for the whole process: from now on `redact` replaces every
// occurrence of it. Values shorter than 4 characters are ignored (too likely to match innocent text).
void register_secret(std::string_view secret);

// Forgets every registered secret (tests only).
void clear_secrets();

// Returns `text` with registered secrets, `x-api-key:` header values, PEM/OpenSSH private-key blocks and
// SSH_HOST_KEY values (a workspace's private host key, base64) replaced by "[REDACTED]". Every log line and error
// message passes through this.
[[nodiscard]] std::string redact(std::string_view text);

}  // namespace dokploy_provider::core
