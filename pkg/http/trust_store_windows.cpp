// SPDX-License-Identifier: MIT
// Winsock before windows.h, and both before the headers that extend them.
// clang-format off
#include <windows.h>
#include <wincrypt.h>
// clang-format on

#include <string>

#include "pkg/http/trust_store.hpp"

namespace dokploy_provider::http {
namespace {

void append_store(const wchar_t* name, std::string& pem) {
    HCERTSTORE store = ::CertOpenSystemStoreW(0, name);
    if (store == nullptr) {
        return;
    }
    PCCERT_CONTEXT certificate = nullptr;
    while ((certificate = ::CertEnumCertificatesInStore(store, certificate)) != nullptr) {
        DWORD size = 0;
        const DWORD flags = CRYPT_STRING_BASE64HEADER | CRYPT_STRING_NOCR;
        if (::CryptBinaryToStringA(certificate->pbCertEncoded, certificate->cbCertEncoded, flags, nullptr, &size) ==
            0) {
            continue;
        }
        std::string text(size, '\0');
        if (::CryptBinaryToStringA(certificate->pbCertEncoded, certificate->cbCertEncoded, flags, text.data(), &size) !=
            0) {
            text.resize(size);
            pem.append(text);
        }
    }
    ::CertCloseStore(store, 0);
}

}  // namespace

std::string windows_store_pem() {
    std::string pem;
    append_store(L"ROOT", pem);
    return pem;
}

}  // namespace dokploy_provider::http
