# SPDX-License-Identifier: MIT
# darwin-arm64 release binary: zig 0.11 for macOS 11 and later, linking only libSystem. There is no Apple SDK
# here: zig ships the libc headers and libSystem stubs, and no framework is linked. zig's linker signs the
# binary ad hoc, which arm64 macOS requires.
set(DOKPLOY_PROVIDER_PLATFORM darwin-arm64)
set(DOKPLOY_PROVIDER_ZIG_TARGET aarch64-macos.11.0)
set(CMAKE_SYSTEM_NAME Darwin)
set(CMAKE_SYSTEM_PROCESSOR arm64)
include("${CMAKE_CURRENT_LIST_DIR}/zig.cmake")
