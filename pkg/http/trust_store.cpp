// SPDX-License-Identifier: MIT
#include "pkg/http/trust_store.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <system_error>

namespace dokploy_provider::http {

std::vector<std::filesystem::path> system_bundle_candidates() {
    std::vector<std::filesystem::path> candidates;
    if (const auto* info = curl_version_info(CURLVERSION_NOW); info != nullptr && info->cainfo != nullptr) {
        candidates.emplace_back(info->cainfo);
    }
#if defined(__APPLE__)
    for (const char* path : {"/etc/ssl/cert.pem", "/opt/homebrew/etc/ca-certificates/cert.pem",
                             "/usr/local/etc/ca-certificates/cert.pem"}) {
        candidates.emplace_back(path);
    }
#elif !defined(_WIN32)
    for (const char* path : {
             "/etc/ssl/certs/ca-certificates.crt",                 // Debian, Ubuntu, Alpine, Arch, Gentoo
             "/etc/pki/tls/certs/ca-bundle.crt",                   // Fedora, RHEL, CentOS, Amazon Linux
             "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",  // Fedora, RHEL (the file behind it)
             "/etc/ssl/ca-bundle.pem",                             // openSUSE, SLES
             "/etc/ssl/cert.pem",                                  // Alpine, Arch, Void
             "/etc/pki/tls/cacert.pem",                            // OpenELEC
         }) {
        candidates.emplace_back(path);
    }
#endif
    return candidates;
}

SystemTrust find_system_trust(const core::EnvLookup& env, const std::vector<std::filesystem::path>& candidates,
                              const std::function<bool(const std::filesystem::path&)>& is_file,
                              const std::function<bool(const std::filesystem::path&)>& is_folder) {
    SystemTrust trust;
    if (const auto file = env("SSL_CERT_FILE")) {
        trust.bundle = *file;
    } else {
        for (const auto& candidate : candidates) {
            if (is_file(candidate)) {
                trust.bundle = candidate;
                break;
            }
        }
    }
    if (const auto cert_dir = env("SSL_CERT_DIR")) {
        trust.folder = *cert_dir;
    } else {
#if !defined(__APPLE__) && !defined(_WIN32)
        if (const std::filesystem::path folder = "/etc/ssl/certs"; is_folder(folder)) {
            trust.folder = folder;
        }
#else
        (void)is_folder;
#endif
    }
    return trust;
}

SystemTrust find_system_trust() {
    return find_system_trust(
        core::process_env, system_bundle_candidates(),
        [](const std::filesystem::path& path) {
            std::error_code ec;
            return std::filesystem::is_regular_file(path, ec);
        },
        [](const std::filesystem::path& path) {
            std::error_code ec;
            return std::filesystem::is_directory(path, ec);
        });
}

bool names_another_host(std::string_view details) {
    // OpenSSL: "no alternative certificate subject name matches target host name", "certificate subject name
    // '...' does not match target host name"; Schannel: SEC_E_WRONG_PRINCIPAL; curl's own check of Schannel
    // certificates against a CA bundle: "CertGetNameString() failed to match connection hostname".
    constexpr std::array<std::string_view, 4> k_name_errors = {
        "subject name", "does not match target host", "WRONG_PRINCIPAL", "failed to match connection hostname"};
    return std::any_of(k_name_errors.begin(), k_name_errors.end(),
                       [details](std::string_view error) { return details.find(error) != std::string_view::npos; });
}

bool outside_validity_period(std::string_view details) {
    // OpenSSL: "certificate has expired", "certificate is not yet valid"; Schannel: SEC_E_CERT_EXPIRED,
    // CERT_E_EXPIRED ("...has expired or is not yet valid..."); Mbed TLS: BADCERT_EXPIRED, BADCERT_FUTURE.
    constexpr std::array<std::string_view, 5> k_date_errors = {"has expired", "not yet valid", "CERT_EXPIRED",
                                                               "CERT_E_EXPIRED", "BADCERT_FUTURE"};
    return std::any_of(k_date_errors.begin(), k_date_errors.end(),
                       [details](std::string_view error) { return details.find(error) != std::string_view::npos; });
}

}  // namespace dokploy_provider::http
