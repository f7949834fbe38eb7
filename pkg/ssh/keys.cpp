// SPDX-License-Identifier: MIT
#include "pkg/ssh/keys.hpp"

#include <libssh/libssh.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "pkg/core/errors.hpp"
#include "pkg/core/files.hpp"

namespace dokploy_provider::ssh {
namespace {

// Overwrites a buffer that held key material when it goes out of scope, however the scope is left.
class WipeOnExit {
public:
    explicit WipeOnExit(std::string& buffer) : m_buffer(buffer) {}
    WipeOnExit(const WipeOnExit&) = delete;
    WipeOnExit& operator=(const WipeOnExit&) = delete;
    ~WipeOnExit() { std::fill(m_buffer.begin(), m_buffer.end(), '\0'); }

private:
    std::string& m_buffer;
};

constexpr std::string_view k_recreate_hint = "run `devpod up` (create) again to recreate the machine's keys";

// Reads a key file whole. Throws core::SshError naming it (and how to recover) when it cannot be read.
std::string read_key_file(const std::filesystem::path& path, std::string_view what) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        const auto reason = std::strerror(errno);
        std::error_code ec;
        const bool missing = !std::filesystem::exists(path, ec);
        throw core::SshError(std::string(what) + " " + path.string() + (missing ? " is missing" : " cannot be read") +
                             " (" + reason + "); " + std::string(k_recreate_hint));
    }
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string trim(std::string_view text) {
    const auto begin = text.find_first_not_of(" \t\r\n");
    if (begin == std::string_view::npos) {
        return {};
    }
    const auto end = text.find_last_not_of(" \t\r\n");
    return std::string(text.substr(begin, end - begin + 1));
}

// Parses "<type> <base64> [comment]" into a libssh key; nullptr when it is not a public key line.
KeyPtr parse_public_key_line(const std::string& line) {
    const auto space = line.find(' ');
    if (space == std::string::npos) {
        return nullptr;
    }
    const auto type_name = line.substr(0, space);
    auto rest = line.substr(space + 1);
    rest = rest.substr(0, rest.find(' '));
    const auto type = ssh_key_type_from_name(type_name.c_str());
    if (type == SSH_KEYTYPE_UNKNOWN || rest.empty()) {
        return nullptr;
    }
    ssh_key raw = nullptr;
    if (ssh_pki_import_pubkey_base64(rest.c_str(), type, &raw) != SSH_OK) {
        return nullptr;
    }
    return KeyPtr(raw);
}

std::string first_line(const std::string& content) { return trim(std::string_view(content).substr(0, content.find('\n'))); }

}  // namespace

std::string base64_encode(std::string_view bytes) {
    static constexpr std::string_view k_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const auto chunk = static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16 |
                           static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                           static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 2]));
        out += k_alphabet[chunk >> 18 & 63];
        out += k_alphabet[chunk >> 12 & 63];
        out += k_alphabet[chunk >> 6 & 63];
        out += k_alphabet[chunk & 63];
    }
    const auto left = bytes.size() - i;
    if (left > 0) {
        unsigned chunk = static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16;
        if (left == 2) {
            chunk |= static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8;
        }
        out += k_alphabet[chunk >> 18 & 63];
        out += k_alphabet[chunk >> 12 & 63];
        out += left == 2 ? k_alphabet[chunk >> 6 & 63] : '=';
        out += '=';
    }
    return out;
}

void generate_ed25519_keypair(const std::filesystem::path& private_path, const std::filesystem::path& public_path) {
    ssh_key raw = nullptr;
    if (ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &raw) != SSH_OK) {
        throw core::SshError("libssh could not generate an ed25519 key");
    }
    const KeyPtr key(raw);

    char* private_text = nullptr;
    if (ssh_pki_export_privkey_base64(key.get(), nullptr, nullptr, nullptr, &private_text) != SSH_OK) {
        throw core::SshError("libssh could not export the new private key");
    }
    const CStringPtr private_owner(private_text);
    std::string_view private_view(private_text);
    std::string private_file(private_view);
    const WipeOnExit wipe(private_file);
    if (!private_file.empty() && private_file.back() != '\n') {
        private_file += '\n';
    }

    char* public_text = nullptr;
    if (ssh_pki_export_pubkey_base64(key.get(), &public_text) != SSH_OK) {
        throw core::SshError("libssh could not export the new public key");
    }
    const CStringPtr public_owner(public_text);
    const auto public_line =
        std::string(ssh_key_type_to_char(ssh_key_type(key.get()))) + " " + public_text + " " + std::string(k_key_comment) + "\n";

    // Private key first: a public key without its private half would be useless.
    core::write_file_atomically(private_path, private_file, core::FileMode::owner_only);
    core::write_file_atomically(public_path, public_line, core::FileMode::public_read);
}

std::string load_public_key_line(const std::filesystem::path& path) {
    auto line = first_line(read_key_file(path, "SSH public key"));
    if (!parse_public_key_line(line)) {
        throw core::SshError("SSH public key " + path.string() + " is not an OpenSSH public key line; " +
                             std::string(k_recreate_hint));
    }
    return line;
}

std::string encode_file_base64(const std::filesystem::path& path) { return base64_encode(read_key_file(path, "SSH key")); }

KeyPtr import_private_key(const std::filesystem::path& path) {
    // Read it ourselves first so that a missing or unreadable file gets a precise message.
    auto content = read_key_file(path, "SSH client key");
    ssh_key raw = nullptr;
    const auto rc = ssh_pki_import_privkey_base64(content.c_str(), nullptr, nullptr, nullptr, &raw);
    std::fill(content.begin(), content.end(), '\0');
    if (rc != SSH_OK || raw == nullptr) {
        throw core::SshError("SSH client key " + path.string() + " is not an unencrypted private key; " +
                             std::string(k_recreate_hint));
    }
    return KeyPtr(raw);
}

KeyPtr import_public_key(const std::filesystem::path& path) {
    auto key = parse_public_key_line(first_line(read_key_file(path, "pinned SSH host key")));
    if (!key) {
        throw core::SshError("pinned SSH host key " + path.string() + " is not an OpenSSH public key line; " +
                             std::string(k_recreate_hint));
    }
    return key;
}

}  // namespace dokploy_provider::ssh
