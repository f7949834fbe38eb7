#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the release binaries with this repository's toolchains and static dependencies:
# dist/dokploy-provider-<platform>[.exe], then dist/checksums.txt and dist/provider.yaml for them.
#
#   toolchains/dist.sh [platform...]   (default: linux-amd64 linux-arm64 darwin-amd64 darwin-arm64 windows-amd64)
#
# Environment: JOBS (default 2); DOKPLOY_PROVIDER_REPO (owner/name, default dokploy-provider/dokploy-provider)
# for the manifest's download URLs; DOKPLOY_PROVIDER_VERSION to override the version (default: git describe).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
jobs=${JOBS:-2}
repo=${DOKPLOY_PROVIDER_REPO:-dokploy-provider/dokploy-provider}
all_platforms=(linux-amd64 linux-arm64 darwin-amd64 darwin-arm64 windows-amd64)
platforms=("$@")
[[ ${#platforms[@]} -gt 0 ]] || platforms=("${all_platforms[@]}")
for platform in "${platforms[@]}"; do
  [[ " ${all_platforms[*]} " == *" $platform "* ]] || { echo "unknown platform '$platform'" >&2; exit 2; }
done

mkdir -p dist
declare -A deps_seconds build_seconds files
for platform in "${platforms[@]}"; do
  echo "== $platform"
  start=$SECONDS
  toolchains/build-deps.sh "$platform"
  deps_seconds[$platform]=$((SECONDS - start))

  start=$SECONDS
  build="build/dist-$platform"
  mkdir -p "$build"
  options=(-G Ninja -DCMAKE_TOOLCHAIN_FILE="$root/toolchains/$platform.cmake" -DCMAKE_BUILD_TYPE=Release
    -DDOKPLOY_PROVIDER_TESTS=OFF)
  [[ -z "${DOKPLOY_PROVIDER_VERSION:-}" ]] || options+=(-DDOKPLOY_PROVIDER_VERSION="$DOKPLOY_PROVIDER_VERSION")
  # zig strips at link time (-s): a Mach-O must not be edited after zig's linker has signed it.
  [[ "$platform" == windows-* ]] || options+=(-DCMAKE_EXE_LINKER_FLAGS=-s)
  cmake -S . -B "$build" "${options[@]}" >"$build/configure.log" 2>&1 || {
    cat "$build/configure.log" >&2
    exit 1
  }
  cmake --build "$build" --target dokploy-provider -j "$jobs"
  if [[ "$platform" == windows-* ]]; then
    files[$platform]="dokploy-provider-$platform.exe"
    x86_64-w64-mingw32-strip -o "dist/${files[$platform]}" "$build/cmd/dokploy-provider.exe"
  else
    files[$platform]="dokploy-provider-$platform"
    cp "$build/cmd/dokploy-provider" "dist/${files[$platform]}"
  fi
  build_seconds[$platform]=$((SECONDS - start))
done

# The version: what the linux-amd64 binary reports when this machine can run it, else as cmake/Version.cmake
# resolves it (the latest v* tag, else the project version).
version=${DOKPLOY_PROVIDER_VERSION:-}
if [[ -z "$version" && -n "${files[linux-amd64]:-}" && "$(uname -sm)" == "Linux x86_64" ]]; then
  version=$("dist/${files[linux-amd64]}" version | awk 'NR == 1 { print $2 }')
fi
if [[ -z "$version" ]]; then
  version=$(git describe --tags --match 'v[0-9]*' --abbrev=0 2>/dev/null | sed 's/^v//' || true)
fi
if [[ -z "$version" ]]; then
  version=$(sed -n 's/^project(dokploy-provider VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
fi

# checksums.txt and provider.yaml cover every release binary in dist/, so that building a subset of the
# platforms leaves a consistent folder; binaries from an earlier run are named.
built=()
binaries=()
for platform in "${all_platforms[@]}"; do
  file="dokploy-provider-$platform"
  [[ "$platform" != windows-* ]] || file+=".exe"
  [[ -f "dist/$file" ]] || continue
  [[ -n "${files[$platform]:-}" ]] || echo "note: dist/$file is from an earlier run"
  built+=("$file")
  binaries+=("${platform%-*}/${platform#*-}=https://github.com/$repo/releases/download/v$version/$file=$root/dist/$file")
done
(cd dist && sha256sum "${built[@]}" | sort -k 2 >checksums.txt)
cmake -DTEMPLATE=provider.yaml -DOUTPUT=dist/provider.yaml -DVERSION="$version" \
  -DBINARIES="$(IFS='|'; echo "${binaries[*]}")" -P cmake/RenderProvider.cmake

echo
echo "dokploy-provider $version, $repo"
printf '%-38s %10s %8s %8s\n' file bytes deps build
for platform in "${platforms[@]}"; do
  file=${files[$platform]}
  printf '%-38s %10d %7ds %7ds\n' "dist/$file" "$(stat -c %s "dist/$file")" "${deps_seconds[$platform]}" \
    "${build_seconds[$platform]}"
done
echo "dist/checksums.txt, dist/provider.yaml"
