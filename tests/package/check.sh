#!/bin/sh
# Installs the built kvspec into a temporary prefix, then builds and runs tests/package/main.cpp against it
# through find_package(kvspec) and through pkg-config. Usage: check.sh BUILD_DIR CXX [sanitized]
# Exit 77 (CTest SKIP_RETURN_CODE) where the check cannot apply.
set -eu
build=$1; cxx=$2; sanitized=${3:-0}
if [ "$sanitized" = 1 ]; then echo "skip: sanitized build (the consumer is not instrumented)"; exit 77; fi
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
test -f "$tmp/prefix/include/kvspec/load.hpp" && test -f "$tmp/prefix/include/kvspec/kvspec.h"
test -x "$tmp/prefix/bin/kvspec"
# The man page generated at build time, installed where man finds it.
head -n 1 "$tmp/prefix/share/man/man1/kvspec.1" | grep -q '^\.TH KVSPEC 1'
if grep -rlE '#include *["<](simdjson|src/|util/)' "$tmp/prefix/include"; then echo "public header leaks a private include"; exit 1; fi
cmake -S "$here" -B "$tmp/cm" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/cm" >/dev/null
"$tmp/cm/consumer"
if command -v pkg-config >/dev/null; then
  flags=$(PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig:${PKG_CONFIG_PATH:-}" pkg-config --cflags --libs --static kvspec)
  # shellcheck disable=SC2086
  "$cxx" -std=c++20 "$here/main.cpp" -o "$tmp/pc-consumer" $flags
  "$tmp/pc-consumer"
else
  echo "pkg-config not found: that half is not checked"
fi
