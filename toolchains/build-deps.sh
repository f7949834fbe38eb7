#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the static libraries of one release platform into build/deps/<platform>/prefix: zlib, OpenSSL
# (linux, darwin) or mbedTLS (windows), libssh (client only) and curl (HTTP and HTTPS only), and stages the
# header-only libraries (nlohmann/json, CLI11, spdlog + fmt) from the Debian packages. Sources are Debian's,
# at the versions pinned below, fetched with `apt-get source` into build/deps/src once.
#
#   toolchains/build-deps.sh <linux-amd64|linux-arm64|darwin-amd64|darwin-arm64|windows-amd64>
#
# Idempotent: a platform is rebuilt only when this script, the toolchain files or a pinned version change.
# Each library's build log is build/deps/<platform>/logs/<library>.log. JOBS (default 2) sets parallelism.
set -euo pipefail

# Versions served by bookworm / bookworm-updates (the security suite's sources are not).
readonly ZLIB_VERSION="1:1.2.13.dfsg-1"
readonly OPENSSL_VERSION="3.0.17-1~deb12u2"
readonly MBEDTLS_VERSION="2.28.3-1"
readonly LIBSSH_VERSION="0.10.6-0+deb12u2"
readonly CURL_VERSION="7.88.1-10+deb12u15"

platform=${1:-}
case $platform in
  linux-amd64) openssl_target=linux-x86_64 ;;
  linux-arm64) openssl_target=linux-aarch64 ;;
  darwin-amd64) openssl_target=darwin64-x86_64 ;;
  darwin-arm64) openssl_target=darwin64-arm64 ;;
  windows-amd64) openssl_target= ;;
  *)
    echo "usage: $0 <linux-amd64|linux-arm64|darwin-amd64|darwin-arm64|windows-amd64>" >&2
    exit 2
    ;;
esac

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
toolchain="$root/toolchains/$platform.cmake"
src="$root/build/deps/src"
work="$root/build/deps/$platform"
prefix="$work/prefix"
jobs=${JOBS:-2}

# The zig target of the platform, as its toolchain file names it (empty for windows).
zig_target=$(sed -n 's/^set(DOKPLOY_PROVIDER_ZIG_TARGET \(.*\))$/\1/p' "$toolchain")
if [[ -n "$zig_target" ]]; then
  "$root/toolchains/fetch-zig.sh" >/dev/null
  zig_bin="$root/build/tools/bin/$zig_target"
fi

# Rebuild from scratch whenever an input of the build changes.
inputs=("${BASH_SOURCE[0]}" "$toolchain" "$root/toolchains/common.cmake")
[[ -z "$zig_target" ]] || inputs+=("$root/toolchains/zig.cmake" "$root/toolchains/zig/tool")
key=$(cat "${inputs[@]}" | sha256sum | cut -c1-16)
if [[ -f "$work/stamp" && "$(cat "$work/stamp")" == "$key" ]]; then
  echo "deps for $platform are up to date ($prefix)"
  exit 0
fi
if [[ -f "$work/key" && "$(cat "$work/key")" != "$key" ]]; then
  echo "deps for $platform: inputs changed, rebuilding"
  rm -rf "$work"
fi
mkdir -p "$work/build" "$work/logs" "$prefix"
echo "$key" >"$work/key"

# Adds deb-src lines for bookworm and bookworm-updates (same mirror as the machine's) when apt lacks them.
ensure_deb_src() {
  local pkg=$1 version=$2
  if apt-cache showsrc "$pkg" 2>/dev/null | grep -qx "Version: $version"; then
    return
  fi
  local mirror file=/etc/apt/sources.list.d/debian-src.sources
  mirror=$(awk '/^URIs:/ { uri = $2 } /^Suites:/ && / bookworm( |$)/ { print uri; exit }' \
    /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  if [[ -z "$mirror" ]]; then
    mirror=$(awk '$1 == "deb" && $0 ~ / bookworm / { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' \
      /etc/apt/sources.list 2>/dev/null || true)
  fi
  mirror=${mirror:-http://deb.debian.org/debian}
  local sudo=
  [[ $(id -u) -eq 0 ]] || sudo=sudo
  echo "adding $file (deb-src, $mirror) for apt-get source"
  printf 'Types: deb-src\nURIs: %s\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: %s\n' \
    "$mirror" /usr/share/keyrings/debian-archive-keyring.gpg | $sudo tee "$file" >/dev/null
  $sudo apt-get update -qq
  if ! apt-cache showsrc "$pkg" 2>/dev/null | grep -qx "Version: $version"; then
    echo "error: apt has no source package $pkg=$version" >&2
    exit 1
  fi
}

# Unpacks Debian source package $1 at version $2 (Debian's patches applied) into build/deps/src once;
# prints the folder.
source_dir() {
  local pkg=$1 version=$2
  local dir="$src/${pkg}_${version#*:}"
  if [[ ! -d "$dir" ]]; then
    ensure_deb_src "$pkg" "$version" >&2  # stdout is the folder name
    mkdir -p "$src/download"
    (cd "$src/download" && apt-get source --download-only "$pkg=$version") >&2
    rm -rf "$dir.tmp"
    (cd "$src/download" && dpkg-source -x "${pkg}_${version#*:}.dsc" "$dir.tmp") >&2
    mv "$dir.tmp" "$dir"
  fi
  echo "$dir"
}

# Runs build function $2 for library $1 unless done already, logging to logs/$1.log and timing it.
step() {
  local name=$1 fn=$2
  if [[ -f "$work/done-$name" ]]; then
    printf '  %-8s done before\n' "$name"
    return
  fi
  rm -rf "$work/build/$name"
  mkdir -p "$work/build/$name"
  local start=$SECONDS
  if ! (cd "$work/build/$name" && "$fn") >"$work/logs/$name.log" 2>&1; then
    tail -n 40 "$work/logs/$name.log" >&2
    echo "error: building $name for $platform failed (log: $work/logs/$name.log)" >&2
    exit 1
  fi
  touch "$work/done-$name"
  printf '  %-8s %4d s\n' "$name" $((SECONDS - start))
}

# CMake configure + build + install of source folder $1 with the platform's toolchain and options $2...
cmake_install() {
  local dir=$1
  shift
  cmake -S "$dir" -B . -G Ninja -DCMAKE_TOOLCHAIN_FILE="$toolchain" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib -DBUILD_SHARED_LIBS=OFF "$@"
  cmake --build . -j "$jobs"
  cmake --install .
}

# nlohmann/json, CLI11 and spdlog + fmt are header-only; their Debian CMake configs are relocatable.
build_headers() {
  local inc=/usr/include
  for d in nlohmann CLI spdlog fmt; do
    [[ -d "$inc/$d" ]] || { echo "$inc/$d is missing: install .ci/dist-packages.txt" >&2; return 1; }
    cp -a "$inc/$d" "$prefix/include/"
  done
  mkdir -p "$prefix/share/cmake"
  cp -a /usr/share/cmake/nlohmann_json /usr/share/cmake/CLI11 "$prefix/share/cmake/"
  # Debian's spdlog/tweakme.h defines SPDLOG_FMT_EXTERNAL: spdlog then includes <fmt/...>, used header-only
  # (FMT_HEADER_ONLY, set by cmake/Dependencies.cmake) like spdlog itself.
  grep -q '^#define SPDLOG_FMT_EXTERNAL' "$prefix/include/spdlog/tweakme.h"
}

# zlib: its configure script makes only libz.a with --static. Windows uses Debian's MinGW build.
build_zlib() {
  if [[ -z "$zig_target" ]]; then
    local mingw=/usr/x86_64-w64-mingw32
    cp "$mingw/include/zlib.h" "$mingw/include/zconf.h" "$prefix/include/"
    cp "$mingw/lib/libz.a" "$prefix/lib/"
    return
  fi
  local dir
  dir=$(source_dir zlib "$ZLIB_VERSION")
  CC="$zig_bin-cc" AR="$zig_bin-ar" RANLIB="$zig_bin-ranlib" CFLAGS="-O2 -fPIC" \
    "$dir/configure" --static --prefix="$prefix" --libdir="$prefix/lib" --includedir="$prefix/include"
  make -j "$jobs" libz.a
  make install
}

# OpenSSL 3.0, libraries only. OPENSSLDIR /etc/ssl matches Debian, Fedora (link) and macOS defaults; the
# provider adds the system's CA bundle at run time anyway.
build_openssl() {
  local dir extra=()
  dir=$(source_dir openssl "$OPENSSL_VERSION")
  # Without an Apple SDK there are no CommonCrypto headers: seed from /dev/urandom instead of
  # CCRandomGenerateBytes().
  [[ "$platform" != darwin-* ]] || extra=(-DOPENSSL_NO_APPLE_CRYPTO_RANDOM)
  perl "$dir/Configure" "$openssl_target" no-shared no-module no-dso no-tests no-async "${extra[@]}" \
    --prefix="$prefix" --libdir=lib --openssldir=/etc/ssl \
    CC="$zig_bin-cc" AR="$zig_bin-ar" RANLIB="$zig_bin-ranlib"
  make -j "$jobs" build_libs
  make install_dev
}

# mbedTLS 2.28 with threading (libssh needs MBEDTLS_THREADING_PTHREAD). config.h is edited in a private copy
# of the source, so the installed header matches the library.
build_mbedtls() {
  local dir
  dir=$(source_dir mbedtls "$MBEDTLS_VERSION")
  cp -a "$dir" mbedtls-src
  python3 mbedtls-src/scripts/config.py -f mbedtls-src/include/mbedtls/config.h set MBEDTLS_THREADING_C
  python3 mbedtls-src/scripts/config.py -f mbedtls-src/include/mbedtls/config.h set MBEDTLS_THREADING_PTHREAD
  mkdir build && cd build
  cmake_install ../mbedtls-src -DENABLE_PROGRAMS=OFF -DENABLE_TESTING=OFF -DMBEDTLS_FATAL_WARNINGS=OFF \
    -DUSE_STATIC_MBEDTLS_LIBRARY=ON -DUSE_SHARED_MBEDTLS_LIBRARY=OFF
}

# libssh: client only, no GSSAPI, zlib for compression, crypto from OpenSSL (mbedTLS on windows).
build_libssh() {
  local dir crypto
  dir=$(source_dir libssh "$LIBSSH_VERSION")
  if [[ -n "$zig_target" ]]; then
    crypto=(-DOPENSSL_USE_STATIC_LIBS=ON -DOPENSSL_ROOT_DIR="$prefix")
  else
    crypto=(-DWITH_MBEDTLS=ON -DMBEDTLS_ROOT_DIR="$prefix")
  fi
  cmake_install "$dir" -DWITH_SERVER=OFF -DWITH_GSSAPI=OFF -DWITH_EXAMPLES=OFF -DUNIT_TESTING=OFF \
    -DCLIENT_TESTING=OFF -DWITH_ZLIB=ON -DWITH_SFTP=OFF -DWITH_PCAP=OFF -DWITH_NACL=OFF -DWITH_SYMBOL_VERSIONING=OFF \
    "${crypto[@]}"
}

# curl: HTTP and HTTPS only, no IDN, PSL, LDAP, brotli, zstd, nghttp2, GSSAPI or alt-svc; no built-in CA
# bundle or path (the provider finds the system's at run time). TLS from OpenSSL, or Schannel on windows.
build_curl() {
  local dir tls
  dir=$(source_dir curl "$CURL_VERSION")
  if [[ "$platform" == darwin-* ]]; then
    # No Apple SDK here, so no SystemConfiguration or CoreFoundation framework. curl uses them only to call
    # SCDynamicStoreCopyProxies() before resolving an IPv4 literal, which makes macOS synthesize an IPv6
    # address on NAT64-only networks; without it such a network needs a host name instead of an IPv4
    # address. A private copy of the source drops both the CMake framework lookup and the call.
    cp -a "$dir" curl-src
    dir=$PWD/curl-src
    sed -i 's/if(CMAKE_SYSTEM_NAME STREQUAL "Darwin" AND NOT ENABLE_ARES)/if(FALSE)/' "$dir/CMakeLists.txt"
    sed -i '/#    define CURL_OSX_CALL_COPYPROXIES 1/d' "$dir/lib/curl_setup.h"
    if ! grep -qF 'if(FALSE)' "$dir/CMakeLists.txt" || grep -q 'define CURL_OSX_CALL_COPYPROXIES' "$dir/lib/curl_setup.h"; then
      echo "the darwin adjustment no longer matches curl's source" >&2
      return 1
    fi
  fi
  if [[ -n "$zig_target" ]]; then
    tls=(-DCURL_USE_OPENSSL=ON -DOPENSSL_USE_STATIC_LIBS=ON -DOPENSSL_ROOT_DIR="$prefix"
      -DCURL_DISABLE_OPENSSL_AUTO_LOAD_CONFIG=ON)
  else
    tls=(-DCURL_USE_SCHANNEL=ON -DCURL_USE_OPENSSL=OFF -DCURL_WINDOWS_SSPI=ON)
  fi
  mkdir build && cd build
  cmake_install "$dir" -DBUILD_CURL_EXE=OFF -DBUILD_TESTING=OFF -DENABLE_MANUAL=OFF -DPICKY_COMPILER=OFF \
    -DHTTP_ONLY=ON -DCURL_DISABLE_LDAP=ON -DCURL_DISABLE_LDAPS=ON -DCURL_DISABLE_ALTSVC=ON \
    -DUSE_LIBIDN2=OFF -DCURL_USE_LIBPSL=OFF -DCURL_USE_LIBSSH2=OFF -DCURL_USE_LIBSSH=OFF -DUSE_NGHTTP2=OFF \
    -DCURL_BROTLI=OFF -DCURL_ZSTD=OFF -DCURL_USE_GSSAPI=OFF -DCURL_ZLIB=ON -DZLIB_ROOT="$prefix" \
    -DCURL_CA_BUNDLE=none -DCURL_CA_PATH=none -DCURL_CA_FALLBACK=OFF "${tls[@]}"
}

echo "building deps for $platform into $prefix"
total_start=$SECONDS
mkdir -p "$prefix/include" "$prefix/lib"
step headers build_headers
step zlib build_zlib
if [[ -n "$zig_target" ]]; then
  step openssl build_openssl
else
  step mbedtls build_mbedtls
fi
step libssh build_libssh
step curl build_curl
echo "$key" >"$work/stamp"
printf '  %-8s %4d s\n' total $((SECONDS - total_start))
