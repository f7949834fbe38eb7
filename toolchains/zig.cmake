# SPDX-License-Identifier: MIT
# zig 0.11 as C/C++ cross compiler for DOKPLOY_PROVIDER_ZIG_TARGET, through the per-target wrappers that
# toolchains/fetch-zig.sh creates in build/tools/bin (see toolchains/zig/tool).
include("${CMAKE_CURRENT_LIST_DIR}/common.cmake")

set(_zig_bin "${DOKPLOY_PROVIDER_REPO_ROOT}/build/tools/bin/${DOKPLOY_PROVIDER_ZIG_TARGET}")
if(NOT EXISTS "${_zig_bin}-c++")
  message(FATAL_ERROR "${_zig_bin}-c++ is missing: run toolchains/fetch-zig.sh")
endif()
set(CMAKE_C_COMPILER "${_zig_bin}-cc")
set(CMAKE_CXX_COMPILER "${_zig_bin}-c++")
set(CMAKE_AR "${_zig_bin}-ar" CACHE FILEPATH "Archiver")
set(CMAKE_RANLIB "${_zig_bin}-ranlib" CACHE FILEPATH "Archive indexer")
