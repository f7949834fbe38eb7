# SPDX-License-Identifier: MIT
# linux-amd64 release binary: zig 0.11, musl, fully static (runs on any x86_64 Linux).
set(DOKPLOY_PROVIDER_PLATFORM linux-amd64)
set(DOKPLOY_PROVIDER_ZIG_TARGET x86_64-linux-musl)
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
include("${CMAKE_CURRENT_LIST_DIR}/zig.cmake")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
