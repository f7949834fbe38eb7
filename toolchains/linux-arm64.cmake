# SPDX-License-Identifier: MIT
# linux-arm64 release binary: zig 0.11, musl, fully static (runs on any aarch64 Linux).
set(DOKPLOY_PROVIDER_PLATFORM linux-arm64)
set(DOKPLOY_PROVIDER_ZIG_TARGET aarch64-linux-musl)
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
include("${CMAKE_CURRENT_LIST_DIR}/zig.cmake")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
# Lets try_run() and ctest run aarch64 programs on an x86_64 machine.
find_program(DOKPLOY_PROVIDER_QEMU_AARCH64 qemu-aarch64-static)
if(DOKPLOY_PROVIDER_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR "${DOKPLOY_PROVIDER_QEMU_AARCH64}")
endif()
