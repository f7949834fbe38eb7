// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pkg/core/env.hpp"

namespace dokploy_provider::http {

// Where this platform keeps its CA certificates, for TLS backends that need a file (OpenSSL on Linux and
// macOS). Windows' Schannel uses the Windows certificate store itself and needs none of this.
struct SystemTrust {
    std::optional<std::filesystem::path> bundle;  // a PEM file with every trusted CA
    std::optional<std::filesystem::path> folder;  // a hashed certificate folder (OpenSSL's CApath)
};

// The well-known bundle files of this platform, most common first: libcurl's own compiled-in bundle (when
// it has one), then Debian/Ubuntu/Alpine/Arch, Fedora/RHEL, openSUSE, ...; on macOS /etc/ssl/cert.pem, the
// system roots Apple ships.
[[nodiscard]] std::vector<std::filesystem::path> system_bundle_candidates();

// Finds the system trust: SSL_CERT_FILE and SSL_CERT_DIR (OpenSSL's variables) when set, else the first
// candidate for which `is_file` holds, and the folder /etc/ssl/certs when it exists (not on macOS).
[[nodiscard]] SystemTrust find_system_trust(const core::EnvLookup& env,
                                            const std::vector<std::filesystem::path>& candidates,
                                            const std::function<bool(const std::filesystem::path&)>& is_file,
                                            const std::function<bool(const std::filesystem::path&)>& is_folder);

// find_system_trust over the real environment and file system.
[[nodiscard]] SystemTrust find_system_trust();

// True when a failed certificate verification was about the name, not the trust (the server's certificate
// lists other host names): another DOKPLOY_CA_FILE would not help. `details` is libcurl's error text, in the
// wording of OpenSSL or of Schannel (its own check, or curl's when a CA bundle is given).
[[nodiscard]] bool names_another_host(std::string_view details);

// True when a failed certificate verification was about the certificate's dates (expired, or not yet valid),
// whoever signed it: trusting another CA would not help. Wordings of OpenSSL, Schannel and Mbed TLS.
[[nodiscard]] bool outside_validity_period(std::string_view details);

#ifdef _WIN32
// Every certificate of the Windows "ROOT" system store (trusted root CAs) as PEM, to join with DOKPLOY_CA_FILE
// (libcurl's Schannel backend trusts only a given bundle once one is set). Empty when the store cannot be
// read.
[[nodiscard]] std::string windows_store_pem();
#endif

}  // namespace dokploy_provider::http
