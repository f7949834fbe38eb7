# SPDX-License-Identifier: MIT
# darwin-amd64 release binary: zig 0.11 for macOS 11 and later, linking only libSystem. There is no Apple SDK
# here: zig ships the libc headers and libSystem stubs, and no framework is linked.
set(DOKPLOY_PROVIDER_PLATFORM darwin-amd64)
set(DOKPLOY_PROVIDER_ZIG_TARGET x86_64-macos.11.0)
set(CMAKE_SYSTEM_NAME Darwin)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
include("${CMAKE_CURRENT_LIST_DIR}/zig.cmake")
