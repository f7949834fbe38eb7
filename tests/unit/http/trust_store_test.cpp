// SPDX-License-Identifier: MIT
#include "pkg/http/trust_store.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "tests/support/catch.hpp"

namespace http = dokploy_provider::http;
namespace fs = std::filesystem;

namespace {

struct FakeSystem {
    std::map<std::string, std::string> env;
    std::set<fs::path> files;
    std::set<fs::path> folders;

    http::SystemTrust find(const std::vector<fs::path>& candidates) const {
        return http::find_system_trust(
            [this](std::string_view name) -> std::optional<std::string> {
                const auto it = env.find(std::string(name));
                return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
            },
            candidates, [this](const fs::path& path) { return files.count(path) > 0; },
            [this](const fs::path& path) { return folders.count(path) > 0; });
    }
};

const std::vector<fs::path> k_candidates = {"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt",
                                            "/etc/ssl/cert.pem"};

}  // namespace

TEST_CASE("the first existing candidate is the system bundle") {
    FakeSystem system;
    system.files = {"/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem"};
    CHECK(system.find(k_candidates).bundle == fs::path("/etc/pki/tls/certs/ca-bundle.crt"));
    system.files = {};
    CHECK_FALSE(system.find(k_candidates).bundle.has_value());
}

TEST_CASE("SSL_CERT_FILE and SSL_CERT_DIR take precedence over the well-known places") {
    FakeSystem system;
    system.files = {"/etc/ssl/certs/ca-certificates.crt"};
    system.folders = {"/etc/ssl/certs"};
    system.env = {{"SSL_CERT_FILE", "/corp/roots.pem"}, {"SSL_CERT_DIR", "/corp/certs"}};
    const auto trust = system.find(k_candidates);
    CHECK(trust.bundle == fs::path("/corp/roots.pem"));
    CHECK(trust.folder == fs::path("/corp/certs"));
}

#if defined(__linux__)
TEST_CASE("Linux: the usual folder and the bundles of the common distributions are known") {
    FakeSystem system;
    system.folders = {"/etc/ssl/certs"};
    CHECK(system.find(k_candidates).folder == fs::path("/etc/ssl/certs"));
    system.folders = {};
    CHECK_FALSE(system.find(k_candidates).folder.has_value());

    const auto candidates = http::system_bundle_candidates();
    for (const char* expected : {"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt",
                                 "/etc/ssl/ca-bundle.pem", "/etc/ssl/cert.pem"}) {
        CHECK(std::find(candidates.begin(), candidates.end(), fs::path(expected)) != candidates.end());
    }
}
#endif

TEST_CASE("a certificate issued for other names is told apart from an untrusted one") {
    // libcurl's texts, as OpenSSL and Schannel word them
    CHECK(
        http::names_another_host("SSL: no alternative certificate subject name matches target host name '127.0.0.1'"));
    CHECK(http::names_another_host("SSL: certificate subject name 'localhost' does not match target host name 'x'"));
    CHECK(http::names_another_host("schannel: SNI or certificate check failed: SEC_E_WRONG_PRINCIPAL (0x80090322)"));
    CHECK(http::names_another_host(
        "schannel: CertGetNameString() failed to match connection hostname (127.0.0.1) against server certificate "
        "names"));
    CHECK_FALSE(http::names_another_host("SSL certificate problem: unable to get local issuer certificate"));
    CHECK_FALSE(http::names_another_host("schannel: CertGetCertificateChain trust error CERT_TRUST_IS_UNTRUSTED_ROOT"));
    CHECK_FALSE(http::names_another_host(""));
}

TEST_CASE("a certificate outside its validity period is told apart from an untrusted one") {
    // libcurl's texts, as OpenSSL, Schannel and Mbed TLS word them
    CHECK(http::outside_validity_period("SSL certificate problem: certificate has expired"));
    CHECK(http::outside_validity_period("SSL certificate problem: certificate is not yet valid"));
    CHECK(http::outside_validity_period("schannel: SNI or certificate check failed: SEC_E_CERT_EXPIRED (0x80090328) - "
                                        "The received certificate has expired."));
    CHECK(http::outside_validity_period("schannel: CertGetCertificateChain trust error CERT_TRUST_IS_NOT_TIME_VALID "
                                        "CERT_E_EXPIRED"));
    CHECK(http::outside_validity_period("Cert verify failed: BADCERT_FUTURE"));
    CHECK_FALSE(http::outside_validity_period("SSL certificate problem: unable to get local issuer certificate"));
    CHECK_FALSE(http::outside_validity_period("SSL: no alternative certificate subject name matches target host name"));
    CHECK_FALSE(http::outside_validity_period(""));
}
