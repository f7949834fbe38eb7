// SPDX-License-Identifier: MIT
#include "pkg/http/curl_http_client.hpp"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "pkg/core/build_info.hpp"
#include "pkg/core/files.hpp"
#include "pkg/core/redact.hpp"
#include "pkg/http/curl_handles.hpp"
#include "pkg/http/trust_store.hpp"
#include "pkg/log/logging.hpp"

namespace dokploy_provider::http {
namespace {

constexpr std::size_t k_max_body_bytes = std::size_t{16} * 1024 * 1024;
constexpr std::string_view k_pem_certificate = "-----BEGIN CERTIFICATE-----";
// A mutation reuses a kept-alive connection only when it was idle for less than 2 s (libcurl counts whole
// seconds: an idle time of 1.999 s is "1"). Dokploy (Node) closes idle connections after 5 s, proxies in
// front of it later, so the server never closes such a connection for idleness while our request is on its way.
constexpr long k_mutation_max_idle_seconds = 1;
// libcurl's own default for reads.
constexpr long k_read_max_idle_seconds = 118;

// Per-transfer state the libcurl callbacks write into.
struct Transfer {
    Response* response = nullptr;
    bool too_large = false;
    bool send_once = false;       // a mutation: its request may go out once only
    int sends = 0;                // how often libcurl was about to send the request
    bool resend_refused = false;  // libcurl wanted to send it a second time, and was stopped
};

// "host:port" (or "[v6]:port") of an absolute URL, for messages.
std::string authority_of(std::string_view url) {
    const auto scheme_end = url.find("://");
    auto rest = scheme_end == std::string_view::npos ? url : url.substr(scheme_end + 3);
    return std::string(rest.substr(0, rest.find_first_of("/?#")));
}

// The host alone, without port or brackets.
std::string host_of(std::string_view url) {
    const auto authority = authority_of(url);
    if (authority.starts_with('[')) {
        return authority.substr(1, authority.find(']') - 1);
    }
    return authority.substr(0, authority.find(':'));
}

std::string trim(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0) {
        text.remove_prefix(1);
    }
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0) {
        text.remove_suffix(1);
    }
    return std::string(text);
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
    auto& transfer = *static_cast<Transfer*>(user);
    const auto bytes = size * count;
    if (transfer.response->body.size() + bytes > k_max_body_bytes) {
        transfer.too_large = true;
        return 0;  // aborts the transfer with CURLE_WRITE_ERROR
    }
    transfer.response->body.append(data, bytes);
    return bytes;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
    auto& transfer = *static_cast<Transfer*>(user);
    const auto bytes = size * count;
    const std::string_view line(data, bytes);
    if (line.starts_with("HTTP/")) {
        transfer.response->headers.clear();  // a new response (after 100 Continue, or a proxy's CONNECT)
        return bytes;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
        return bytes;
    }
    std::string name(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    transfer.response->headers.emplace_back(std::move(name), trim(line.substr(colon + 1)));
    return bytes;
}

// Called by libcurl right before it sends the request on a connection, also when it re-sends it on a new
// connection because a reused one died before any answer byte (libcurl's Curl_retry_request). That re-send is
// harmless for a read but could make Dokploy process a mutation twice: for a mutation, it is refused here.
int on_before_send(void* user, char* /*remote_ip*/, char* /*local_ip*/, int /*remote_port*/, int /*local_port*/) {
    auto& transfer = *static_cast<Transfer*>(user);
    if (++transfer.sends > 1 && transfer.send_once) {
        transfer.resend_refused = true;
        return CURL_PREREQFUNC_ABORT;
    }
    return CURL_PREREQFUNC_OK;
}

// Prefixes each line of `text` ("> " sent headers, "< " received headers, "* " libcurl's own notes).
std::string prefix_lines(std::string_view prefix, std::string_view text) {
    std::string result;
    while (!text.empty()) {
        const auto end = text.find('\n');
        result.append(prefix).append(text.substr(0, end)).append("\n");
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    }
    return result;
}

// Routes header and info text to the debug log, redacted here as well as in the log sink. Bodies
// (CURLINFO_DATA_*) and TLS records are never logged.
int on_debug(CURL* /*handle*/, curl_infotype type, char* data, std::size_t size, void* /*user*/) {
    std::string_view prefix;
    switch (type) {
        case CURLINFO_TEXT:
            prefix = "* ";
            break;
        case CURLINFO_HEADER_IN:
            prefix = "< ";
            break;
        case CURLINFO_HEADER_OUT:
            prefix = "> ";
            break;
        default:
            return 0;
    }
    log::debug_lines("curl", core::redact(prefix_lines(prefix, std::string_view(data, size))));
    return 0;
}

template <typename Value>
void set_option(CURL* easy, CURLoption option, Value value) {
    if (const auto code = curl_easy_setopt(easy, option, value); code != CURLE_OK) {
        throw core::Error(std::string("libcurl rejected an option: ") + curl_easy_strerror(code));
    }
}

std::string read_extra_ca_file(const std::filesystem::path& ca_file) {
    std::string extra;
    try {
        extra = core::read_file(ca_file);
    } catch (const core::Error& error) {
        throw core::ConfigError(std::string("DOKPLOY_CA_FILE cannot be read: ") + error.what());
    }
    if (extra.find(k_pem_certificate) == std::string::npos) {
        throw core::ConfigError("DOKPLOY_CA_FILE '" + ca_file.string() +
                                "' holds no PEM certificate (-----BEGIN CERTIFICATE-----); export the CA as PEM");
    }
    return extra;
}

// The system's CAs, as PEM, to put in front of DOKPLOY_CA_FILE.
std::string system_trust_pem([[maybe_unused]] const SystemTrust& trust) {
#ifdef _WIN32
    spdlog::debug("CA bundle: the Windows ROOT store plus DOKPLOY_CA_FILE");
    return windows_store_pem();
#else
    if (trust.bundle) {
        try {
            auto bundle = core::read_file(*trust.bundle);
            spdlog::debug("CA bundle: the system store {} plus DOKPLOY_CA_FILE", trust.bundle->string());
            return bundle;
        } catch (const core::Error&) {
            // reported below like a missing bundle
        }
    }
    spdlog::debug("CA bundle: no readable system bundle found; trusting DOKPLOY_CA_FILE and the system CA folder");
    return {};
#endif
}

// Which CAs TLS trusts. Windows (Schannel): the Windows certificate store. Linux and macOS (OpenSSL): the
// system bundle and folder found at run time (a static binary cannot know them at build time).
// DOKPLOY_CA_FILE is added to the system trust, not substituted for it: libcurl's CAINFO would replace the
// bundle, so the system CAs and the user's file are joined into one in-memory PEM bundle
// (CURLOPT_CAINFO_BLOB, which overrides CAINFO).
void configure_trust(CURL* easy, const std::optional<std::filesystem::path>& ca_file) {
    SystemTrust trust;
#ifndef _WIN32
    trust = find_system_trust();
    if (trust.folder) {
        set_option(easy, CURLOPT_CAPATH, trust.folder->string().c_str());
    }
#endif
    if (!ca_file) {
        if (trust.bundle) {
            spdlog::debug("CA bundle: the system store {}", trust.bundle->string());
            set_option(easy, CURLOPT_CAINFO, trust.bundle->string().c_str());
        }
        return;
    }
    const auto extra = read_extra_ca_file(*ca_file);
    auto bundle = system_trust_pem(trust);
    bundle.append("\n").append(extra).append("\n");
    curl_blob blob{bundle.data(), bundle.size(), CURL_BLOB_COPY};
    if (curl_easy_setopt(easy, CURLOPT_CAINFO_BLOB, &blob) != CURLE_OK) {
        // A TLS backend without blob support: the file then replaces the bundle; CAPATH still adds.
        spdlog::warn(
            "this libcurl cannot add DOKPLOY_CA_FILE to the system store; only it and the system CA "
            "folder are trusted");
        set_option(easy, CURLOPT_CAINFO, ca_file->string().c_str());
    }
}

SendError to_send_error(CURLcode code, const char* error_buffer, const Request& request, bool nothing_sent,
                        const Transfer& transfer) {
    const auto host = host_of(request.url);
    const auto authority = authority_of(request.url);
    const std::string details = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
    const auto sent = nothing_sent ? Delivery::not_sent : Delivery::maybe_sent;
    if (transfer.resend_refused) {
        return {"the connection to " + authority + " closed before an answer to " + request.method +
                    " arrived; the request may have been processed, so it is not sent again",
                true, Delivery::maybe_sent};
    }
    switch (code) {
        case CURLE_COULDNT_RESOLVE_HOST:
            return {"couldn't resolve host " + host + ": check DOKPLOY_SERVER_URL (" + details + ")", false,
                    Delivery::not_sent};
        case CURLE_COULDNT_RESOLVE_PROXY:
            return {"couldn't resolve the proxy host: check HTTPS_PROXY / HTTP_PROXY (" + details + ")", false,
                    Delivery::not_sent};
        case CURLE_COULDNT_CONNECT:
            return {"couldn't connect to " + authority + " (" + details + ")", true, Delivery::not_sent};
        case CURLE_OPERATION_TIMEDOUT:
            return {"request to " + authority + " timed out (" + details + ")", true, sent};
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_PARTIAL_FILE:
            return {"connection to " + authority + " failed (" + details + ")", true, sent};
        case CURLE_PEER_FAILED_VERIFICATION:
            if (names_another_host(details)) {
                return {"the certificate of " + host + " is issued for other names (" + details +
                            "); use a DOKPLOY_SERVER_URL host name the certificate lists",
                        false, Delivery::not_sent};
            }
            if (outside_validity_period(details)) {
                return {"the certificate of " + host + " has expired or is not valid yet (" + details +
                            "); renew it on the server, or check this computer's date and time",
                        false, Delivery::not_sent};
            }
            return {"certificate of " + host + " not trusted (" + details +
                        "); set DOKPLOY_CA_FILE to the PEM file of the CA that signed it, or fix the server's "
                        "certificate chain",
                    false, Delivery::not_sent};
        case CURLE_SSL_CACERT_BADFILE:
            return {
                "the CA certificates could not be loaded (" + details + "); check DOKPLOY_CA_FILE and SSL_CERT_FILE",
                false, Delivery::not_sent};
        case CURLE_SSL_CONNECT_ERROR:
            return {"TLS handshake with " + authority + " failed (" + details +
                        "); check that DOKPLOY_SERVER_URL says https only for a port that speaks TLS",
                    false, Delivery::not_sent};
        case CURLE_WRITE_ERROR:
            if (transfer.too_large) {
                return {"the response from " + authority + " is larger than 16 MiB; is DOKPLOY_SERVER_URL a Dokploy?",
                        false, Delivery::maybe_sent};
            }
            break;
        default:
            break;
    }
    return {"request to " + authority + " failed: " + details, false, sent};
}

}  // namespace

struct CurlHttpClient::State {
    CurlEasy easy;
    std::array<char, CURL_ERROR_SIZE> error_buffer{};
    core::Millis connect_timeout{0};
    core::Millis total_timeout{0};
};

std::string default_user_agent() {
    return std::string("dokploy-provider/") + core::k_version;
}

CurlHttpClient::CurlHttpClient(const ClientSettings& settings) : m_state(std::make_unique<State>()) {
    m_state->easy = make_curl_easy();
    CURL* easy = m_state->easy.get();
    const auto user_agent = settings.user_agent.empty() ? default_user_agent() : settings.user_agent;
    set_option(easy, CURLOPT_ERRORBUFFER, m_state->error_buffer.data());
    set_option(easy, CURLOPT_NOSIGNAL, 1L);
    m_state->connect_timeout = settings.connect_timeout;
    m_state->total_timeout = settings.total_timeout;
    set_option(easy, CURLOPT_USERAGENT, user_agent.c_str());  // libcurl copies strings
    set_option(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    set_option(easy, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect would turn a POST into a GET
    set_option(easy, CURLOPT_SSL_VERIFYPEER, 1L);
    set_option(easy, CURLOPT_SSL_VERIFYHOST, 2L);
#ifdef _WIN32
    // Schannel checks revocation and fails hard when it cannot tell, which a private CA without CRL or OCSP
    // (the usual self-signed Dokploy) always causes. A revoked certificate is still refused.
    set_option(easy, CURLOPT_SSL_OPTIONS, static_cast<long>(CURLSSLOPT_REVOKE_BEST_EFFORT));
#endif
    set_option(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    set_option(easy, CURLOPT_ACCEPT_ENCODING, "");  // any encoding libcurl can decode
    set_option(easy, CURLOPT_WRITEFUNCTION, on_body);
    set_option(easy, CURLOPT_HEADERFUNCTION, on_header);
    set_option(easy, CURLOPT_DEBUGFUNCTION, on_debug);
    set_option(easy, CURLOPT_PREREQFUNCTION, on_before_send);
    configure_trust(easy, settings.ca_file);
}

CurlHttpClient::~CurlHttpClient() = default;

Response CurlHttpClient::send(const Request& request) {
    CURL* easy = m_state->easy.get();
    Response response;
    // Anything but a GET may change something in Dokploy.
    const bool is_get = request.method == "GET" && request.body.empty();
    Transfer transfer{&response, false, !is_get};

    CurlSlist headers;
    for (const auto& [name, value] : request.headers) {
        if (name.find_first_of("\r\n:") != std::string::npos || value.find_first_of("\r\n") != std::string::npos) {
            throw core::Error("the request header '" + core::redact(name) + "' contains a line break or colon");
        }
        // "Name;" is libcurl's way to send a header with an empty value.
        std::string line = name;
        line.append(value.empty() ? ";" : ": ").append(value);
        append_to(headers, line);
    }
    append_to(headers, "Expect:");  // no 100-continue round trip for larger bodies

    // Never 0, which libcurl reads as "no timeout".
    const auto total =
        std::max(core::Millis(1), std::min(m_state->total_timeout, request.timeout.value_or(m_state->total_timeout)));
    set_option(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(total.count()));
    set_option(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min(m_state->connect_timeout, total).count()));
    set_option(easy, CURLOPT_URL, request.url.c_str());
    set_option(easy, CURLOPT_HTTPHEADER, headers.get());
    set_option(easy, CURLOPT_CUSTOMREQUEST, static_cast<const char*>(nullptr));
    set_option(easy, CURLOPT_NOBODY, 0L);
    // Every request reuses the kept-alive connection (one per process): no new TCP and TLS handshake per call.
    // libcurl silently re-sends a request whose reused connection dies before any answer byte arrives. That is
    // harmless for a GET but could repeat a processed mutation (a second deploy, a duplicate compose), so a
    // mutation (1) reuses a connection only while the server cannot have closed it for idleness, and (2) is
    // never re-sent by libcurl (on_before_send): a dead connection is reported as a SendError that may have
    // been delivered, and the retry policy (retry.hpp) decides, which never repeats a maybe-delivered mutation.
    set_option(easy, CURLOPT_MAXAGE_CONN, is_get ? k_read_max_idle_seconds : k_mutation_max_idle_seconds);
    if (is_get) {
        set_option(easy, CURLOPT_HTTPGET, 1L);
    } else {
        set_option(easy, CURLOPT_POST, 1L);
        set_option(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
        set_option(easy, CURLOPT_POSTFIELDS, request.body.c_str());
        if (request.method != "POST") {
            set_option(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
        }
    }
    set_option(easy, CURLOPT_WRITEDATA, &transfer);
    set_option(easy, CURLOPT_HEADERDATA, &transfer);
    set_option(easy, CURLOPT_PREREQDATA, &transfer);
    set_option(easy, CURLOPT_VERBOSE, spdlog::should_log(spdlog::level::debug) ? 1L : 0L);
    m_state->error_buffer[0] = '\0';

    const auto code = curl_easy_perform(easy);

    // Drop pointers into this call's locals before they go out of scope.
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, static_cast<curl_slist*>(nullptr));
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, static_cast<const char*>(nullptr));
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, static_cast<void*>(nullptr));
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, static_cast<void*>(nullptr));
    curl_easy_setopt(easy, CURLOPT_PREREQDATA, static_cast<void*>(nullptr));

    if (code != CURLE_OK) {
        long request_size = 0;
        curl_easy_getinfo(easy, CURLINFO_REQUEST_SIZE, &request_size);
        throw to_send_error(code, m_state->error_buffer.data(), request, request_size == 0, transfer);
    }
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &response.status);
    return response;
}

}  // namespace dokploy_provider::http
