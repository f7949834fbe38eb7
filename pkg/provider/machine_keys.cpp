// SPDX-License-Identifier: MIT
#include "pkg/provider/machine_keys.hpp"

#include <spdlog/spdlog.h>

#ifdef _WIN32
#include <io.h>
#else
#include <unistd.h>
#endif

#include <filesystem>

#include "pkg/core/errors.hpp"
#include "pkg/core/redact.hpp"
#include "pkg/ssh/keys.hpp"

namespace dokploy_provider::provider {
namespace {

bool folder_writable(const std::filesystem::path& folder) {
#ifdef _WIN32
    constexpr int k_write = 2;
    return ::_waccess(folder.c_str(), k_write) == 0;
#else
    return ::access(folder.c_str(), W_OK | X_OK) == 0;
#endif
}

bool file_exists(const std::filesystem::path& path) {
    std::error_code ec;
    return std::filesystem::exists(path, ec);
}

void ensure_pair(const std::filesystem::path& private_key, const std::filesystem::path& public_key, const char* what) {
    if (file_exists(private_key) && file_exists(public_key)) {
        spdlog::debug("reusing the {} key pair in {}", what, private_key.parent_path().string());
        return;
    }
    ssh::generate_ed25519_keypair(private_key, public_key);
    spdlog::debug("generated an ed25519 {} key pair in {}", what, private_key.parent_path().string());
}

}  // namespace

void prepare_machine_folder(const MachinePaths& paths) {
    const auto& folder = paths.folder;
    const auto refuse = [&](const std::string& reason) {
        throw core::ConfigError("MACHINE_FOLDER '" + folder.string() + "' cannot be used: " + reason +
                                "; point it at a folder you can write to");
    };
    std::error_code ec;
    std::filesystem::create_directories(folder, ec);
    if (ec) {
        refuse(ec.message());
    }
    if (!std::filesystem::is_directory(folder, ec)) {
        refuse("it is not a folder");
    }
    // The folder holds private keys: nobody else may list or enter it.
    std::filesystem::permissions(folder, std::filesystem::perms::owner_all, ec);
    if (!folder_writable(folder)) {
        refuse("it is not writable");
    }
}

WorkspaceKeys ensure_machine_keys(const MachinePaths& paths) {
    ensure_pair(paths.client_key(), paths.client_public_key(), "client");
    ensure_pair(paths.host_key(), paths.host_public_key(), "host");
    WorkspaceKeys keys{ssh::load_public_key_line(paths.client_public_key()), ssh::encode_file_base64(paths.host_key())};
    core::register_secret(keys.host_key_base64);
    return keys;
}

ssh::Credentials machine_credentials(const MachinePaths& paths) {
    return {paths.client_key(), paths.host_public_key()};
}

std::optional<std::string> read_client_public_key(const MachinePaths& paths) {
    if (!file_exists(paths.client_public_key())) {
        return std::nullopt;
    }
    return ssh::load_public_key_line(paths.client_public_key());
}

bool machine_keys_present(const MachinePaths& paths) {
    return file_exists(paths.client_key()) && file_exists(paths.host_public_key());
}

}  // namespace dokploy_provider::provider
