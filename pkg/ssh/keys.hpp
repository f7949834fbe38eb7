// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "pkg/ssh/ssh_handles.hpp"

namespace dokploy_provider::ssh {

// Comment written at the end of every public key line we generate.
inline constexpr std::string_view k_key_comment = "dokploy-provider";

// Generates a fresh ed25519 key pair: the private key in OpenSSH format at `private_path` (mode 0600) and
// the line "ssh-ed25519 AAAA... dokploy-provider" at `public_path` (mode 0644). Each file is replaced
// atomically. Only create calls this. Throws core::SshError (libssh failure) or core::Error (write failure).
void generate_ed25519_keypair(const std::filesystem::path& private_path, const std::filesystem::path& public_path);

// Returns the first line of an OpenSSH public key file, "<type> <base64> [comment]", trimmed and checked
// to parse as a key. Throws core::SshError naming the file when it is missing, unreadable or malformed.
[[nodiscard]] std::string load_public_key_line(const std::filesystem::path& path);

// Base64 (RFC 4648, padded, one line) of a key file's bytes, e.g. for the SSH_HOST_KEY variable of the
// workspace container. Throws core::SshError naming the file when it is missing or unreadable.
[[nodiscard]] std::string encode_file_base64(const std::filesystem::path& path);

// Base64 (RFC 4648, padded, no line breaks) of `bytes`.
[[nodiscard]] std::string base64_encode(std::string_view bytes);

// Imports the private key at `path` (OpenSSH or PEM, unencrypted). Throws core::SshError naming the file
// when it is missing, unreadable or not a private key.
[[nodiscard]] KeyPtr import_private_key(const std::filesystem::path& path);

// Imports the public key file at `path` (one OpenSSH public key line). Throws core::SshError naming the
// file when it is missing, unreadable or malformed.
[[nodiscard]] KeyPtr import_public_key(const std::filesystem::path& path);

}  // namespace dokploy_provider::ssh
