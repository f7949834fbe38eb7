# SPDX-License-Identifier: MIT
# Shared part of the release toolchains, included by toolchains/<platform>.cmake after it sets
# DOKPLOY_PROVIDER_PLATFORM. Every library comes from that platform's prefix, built by
# `toolchains/build-deps.sh <platform>`; programs (perl, git, ...) come from the build machine.
get_filename_component(DOKPLOY_PROVIDER_REPO_ROOT "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(DOKPLOY_PROVIDER_DEPS_PREFIX "${DOKPLOY_PROVIDER_REPO_ROOT}/build/deps/${DOKPLOY_PROVIDER_PLATFORM}/prefix")

set(CMAKE_FIND_ROOT_PATH "${DOKPLOY_PROVIDER_DEPS_PREFIX}")
set(CMAKE_PREFIX_PATH "${DOKPLOY_PROVIDER_DEPS_PREFIX}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Read by cmake/Dependencies.cmake: link the static libraries of the prefix, spdlog header-only.
set(DOKPLOY_PROVIDER_STATIC ON CACHE BOOL "Self-contained build from the toolchain's dependency prefix")
