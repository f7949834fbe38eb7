// SPDX-License-Identifier: MIT
#include "pkg/core/redact.hpp"

#include "tests/support/catch.hpp"

using dokploy_provider::core::clear_secrets;
using dokploy_provider::core::redact;
using dokploy_provider::core::register_secret;

TEST_CASE("redact masks registered secrets wherever they appear") {
    clear_secrets();
    register_secret("tok-123456");
    CHECK(redact("token tok-123456 and tok-123456!") == "token [REDACTED] and [REDACTED]!");
    CHECK(redact("nothing here") == "nothing here");
    clear_secrets();
}

TEST_CASE("redact prefers the longest secret when one contains another") {
    clear_secrets();
    register_secret("abcd");
    register_secret("abcdefgh");
    CHECK(redact("xabcdefghx") == "x[REDACTED]x");
    clear_secrets();
}

TEST_CASE("redact ignores secrets too short to be meaningful") {
    clear_secrets();
    register_secret("ab");
    CHECK(redact("abab") == "abab");
    clear_secrets();
}

TEST_CASE("redact masks x-api-key header values even when unregistered") {
    clear_secrets();
    CHECK(redact("> x-api-key: s3cr3t\r\nAccept: */*") == "> x-api-key: [REDACTED]\r\nAccept: */*");
    CHECK(redact("X-API-KEY:abc") == "X-API-KEY:[REDACTED]");
}

TEST_CASE("redact masks private key blocks, complete or cut off") {
    const std::string key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY-----";
    CHECK(redact("before\n" + key + "\nafter") == "before\n[REDACTED]\nafter");
    CHECK(redact("x -----BEGIN PRIVATE KEY-----\nMIIEv") == "x [REDACTED]");
    CHECK(redact("-----BEGIN CERTIFICATE-----\nMIIB") == "-----BEGIN CERTIFICATE-----\nMIIB");
}

TEST_CASE("redact masks SSH_HOST_KEY values in every form they travel in") {
    clear_secrets();
    CHECK(redact("      SSH_HOST_KEY: \"LS0tLS1CRUdJTi+/=\"\n") == "      SSH_HOST_KEY: \"[REDACTED]\"\n");
    CHECK(redact(R"({"composeFile":"x:\n      SSH_HOST_KEY: \"LS0tLS1CRUdJTi\"\n"})") ==
          R"({"composeFile":"x:\n      SSH_HOST_KEY: \"[REDACTED]\"\n"})");
    CHECK(redact("SSH_HOST_KEY=QUJDRA==") == "SSH_HOST_KEY=[REDACTED]");
    CHECK(redact(R"({"SSH_HOST_KEY":"QUJDRA=="})") == R"({"SSH_HOST_KEY":"[REDACTED]"})");
    CHECK(redact("the SSH_HOST_KEY variable") == "the SSH_HOST_KEY variable");
}
