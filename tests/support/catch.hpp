// SPDX-License-Identifier: MIT
// Includes Catch2 whichever major version is installed (Debian bookworm ships v2, backports v3).
#pragma once

#if __has_include(<catch2/catch_test_macros.hpp>)
#include <catch2/catch_all.hpp>
#else
#include <catch2/catch.hpp>
#endif
