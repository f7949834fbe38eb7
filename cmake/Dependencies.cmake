# SPDX-License-Identifier: MIT
# The third-party libraries. A host build takes them from Debian's -dev packages. A release build
# (DOKPLOY_PROVIDER_STATIC, set by toolchains/<platform>.cmake) links the static libraries that
# `toolchains/build-deps.sh <platform>` puts in the toolchain's prefix, spdlog and fmt header-only; it defines
# the same targets, so pkg/ and cmd/ link alike in both.
option(DOKPLOY_PROVIDER_STATIC "Link the static libraries of the toolchain's dependency prefix" OFF)

if(NOT DOKPLOY_PROVIDER_STATIC)
  find_package(CLI11 CONFIG REQUIRED)
  find_package(CURL REQUIRED)
  find_package(nlohmann_json 3 CONFIG REQUIRED)
  find_package(libssh CONFIG REQUIRED)
  find_package(spdlog CONFIG REQUIRED)
  find_package(Threads REQUIRED)
  return()
endif()

find_package(CLI11 CONFIG REQUIRED)
find_package(nlohmann_json 3 CONFIG REQUIRED)
find_package(Threads REQUIRED)
find_package(ZLIB REQUIRED)

# libssh's crypto: mbedTLS on Windows (where curl uses Schannel), OpenSSL elsewhere.
if(WIN32)
  find_path(MBEDTLS_INCLUDE_DIR mbedtls/version.h REQUIRED)
  find_library(MBEDCRYPTO_LIBRARY mbedcrypto REQUIRED)
  add_library(MbedTLS::mbedcrypto STATIC IMPORTED)
  set_target_properties(MbedTLS::mbedcrypto PROPERTIES
    IMPORTED_LOCATION "${MBEDCRYPTO_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${MBEDTLS_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "Threads::Threads;advapi32")
  set(_ssh_dependencies MbedTLS::mbedcrypto ZLIB::ZLIB Threads::Threads iphlpapi ws2_32)
else()
  set(OPENSSL_USE_STATIC_LIBS ON)
  find_package(OpenSSL 3 REQUIRED)
  set(_ssh_dependencies OpenSSL::Crypto ZLIB::ZLIB Threads::Threads)
endif()

# CURL::libcurl, exported with CURL_STATICLIB and its TLS library and zlib as link dependencies.
find_package(CURL CONFIG REQUIRED)

# The plain target `ssh`. Its exported link interface names the libraries by absolute path: use the targets.
find_package(libssh CONFIG REQUIRED)
set_property(TARGET ssh PROPERTY INTERFACE_LINK_LIBRARIES ${_ssh_dependencies})
if(WIN32)
  set_property(TARGET ssh PROPERTY INTERFACE_COMPILE_DEFINITIONS LIBSSH_STATIC=1)
endif()

# Debian ships spdlog as a shared library only: use it header-only, with fmt header-only too. Debian's
# spdlog/tweakme.h defines SPDLOG_FMT_EXTERNAL (spdlog includes <fmt/...>); defined here as well.
# spdlog 1.10 calls fstat64() on 64-bit Linux, which musl 1.2.4 declares only with _LARGEFILE64_SOURCE.
find_path(SPDLOG_INCLUDE_DIR spdlog/spdlog.h REQUIRED)
add_library(spdlog::spdlog INTERFACE IMPORTED)
set_target_properties(spdlog::spdlog PROPERTIES
  INTERFACE_INCLUDE_DIRECTORIES "${SPDLOG_INCLUDE_DIR}"
  INTERFACE_COMPILE_DEFINITIONS "SPDLOG_HEADER_ONLY;SPDLOG_FMT_EXTERNAL;FMT_HEADER_ONLY"
  INTERFACE_LINK_LIBRARIES Threads::Threads)
if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
  set_property(TARGET spdlog::spdlog APPEND PROPERTY INTERFACE_COMPILE_DEFINITIONS _LARGEFILE64_SOURCE)
endif()
# Every translation unit must see the same spdlog/fmt mode, including those that include spdlog headers without
# linking spdlog::spdlog (cmd/main.cpp does).
get_target_property(_spdlog_definitions spdlog::spdlog INTERFACE_COMPILE_DEFINITIONS)
add_compile_definitions(${_spdlog_definitions})
