// SPDX-License-Identifier: MIT
#include "pkg/ssh/keys.hpp"

#include <sys/stat.h>

#include <fstream>
#include <string>

#include "pkg/core/errors.hpp"
#include "pkg/core/files.hpp"
#include "pkg/ssh/ssh_global.hpp"
#include "tests/support/catch.hpp"
#include "tests/support/temp_dir.hpp"

namespace core = dokploy_provider::core;
namespace ssh = dokploy_provider::ssh;
using dokploy_provider::testing::TempDir;

namespace {

unsigned mode_of(const std::filesystem::path& path) {
    struct stat info {};
    REQUIRE(::stat(path.c_str(), &info) == 0);
    return info.st_mode & 0777;
}

// Runs `action`, which must throw core::SshError, and returns its message.
template <typename Action>
std::string ssh_error_of(Action action) {
    try {
        action();
    } catch (const core::SshError& e) {
        return e.what();
    }
    FAIL("no core::SshError was thrown");
    return {};
}

}  // namespace

TEST_CASE("base64 matches the RFC 4648 test vectors") {
    CHECK(ssh::base64_encode("").empty());
    CHECK(ssh::base64_encode("f") == "Zg==");
    CHECK(ssh::base64_encode("fo") == "Zm8=");
    CHECK(ssh::base64_encode("foo") == "Zm9v");
    CHECK(ssh::base64_encode("foob") == "Zm9vYg==");
    CHECK(ssh::base64_encode("fooba") == "Zm9vYmE=");
    CHECK(ssh::base64_encode("foobar") == "Zm9vYmFy");
}

TEST_CASE("base64 encodes every byte value including NUL and high bits") {
    CHECK(ssh::base64_encode(std::string("\0\0\0", 3)) == "AAAA");
    CHECK(ssh::base64_encode("\xff\xff\xff") == "////");
    CHECK(ssh::base64_encode("\xfb\xef\xbe") == "++++");
    CHECK(ssh::base64_encode(std::string("\x00\x10\x83\x10\x51\x87\x20\x92\x8b\x30\xd3\x8f", 12)) == "ABCDEFGHIJKLMNOP");
}

TEST_CASE("encode_file_base64 encodes the file's exact bytes") {
    const TempDir dir;
    const auto file = dir.path() / "blob";
    core::write_file_atomically(file, std::string("line 1\nline 2\n\0\xff", 16), core::FileMode::owner_only);
    CHECK(ssh::encode_file_base64(file) == "bGluZSAxCmxpbmUgMgoA/w==");
}

TEST_CASE("generated ed25519 key pairs are OpenSSH files with the right modes") {
    const ssh::SshGlobal libssh;
    const TempDir dir;
    const auto private_key = dir.path() / "keys" / "id_ed25519";
    const auto public_key = dir.path() / "keys" / "id_ed25519.pub";
    ssh::generate_ed25519_keypair(private_key, public_key);

    CHECK(mode_of(private_key) == 0600);
    CHECK(mode_of(public_key) == 0644);
    const auto private_text = core::read_file(private_key);
    CHECK(private_text.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----\n"));
    CHECK(private_text.ends_with("-----END OPENSSH PRIVATE KEY-----\n"));

    const auto line = ssh::load_public_key_line(public_key);
    CHECK(line.starts_with("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA"));
    CHECK(line.ends_with(" dokploy-provider"));
    CHECK(core::read_file(public_key) == line + "\n");

    // Both halves load back with libssh.
    CHECK(ssh::import_private_key(private_key) != nullptr);
    CHECK(ssh::import_public_key(public_key) != nullptr);

    // A second pair is a different key.
    ssh::generate_ed25519_keypair(dir.path() / "other", dir.path() / "other.pub");
    CHECK(ssh::load_public_key_line(dir.path() / "other.pub") != line);
}

TEST_CASE("missing key files are errors naming the file and the fix") {
    const ssh::SshGlobal libssh;
    const TempDir dir;
    const auto missing = dir.path() / "id_ed25519";
    for (const auto& message : {ssh_error_of([&] { (void)ssh::load_public_key_line(missing); }),
                                ssh_error_of([&] { (void)ssh::import_private_key(missing); }),
                                ssh_error_of([&] { (void)ssh::import_public_key(missing); }),
                                ssh_error_of([&] { (void)ssh::encode_file_base64(missing); })}) {
        CHECK_THAT(message, Catch::Matchers::Contains(missing.string()));
        CHECK_THAT(message, Catch::Matchers::Contains("is missing"));
        CHECK_THAT(message, Catch::Matchers::Contains("devpod up"));
    }
    // Nothing was generated behind our back.
    CHECK_FALSE(std::filesystem::exists(missing));
}

TEST_CASE("malformed key files are errors naming the file") {
    const ssh::SshGlobal libssh;
    const TempDir dir;
    const auto bogus = dir.path() / "bogus";
    core::write_file_atomically(bogus, "ssh-ed25519 not-base64!\n", core::FileMode::owner_only);
    CHECK_THAT(ssh_error_of([&] { (void)ssh::load_public_key_line(bogus); }), Catch::Matchers::Contains(bogus.string()));
    CHECK_THAT(ssh_error_of([&] { (void)ssh::import_public_key(bogus); }), Catch::Matchers::Contains(bogus.string()));
    CHECK_THAT(ssh_error_of([&] { (void)ssh::import_private_key(bogus); }), Catch::Matchers::Contains(bogus.string()));
}
