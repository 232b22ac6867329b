#!/bin/sh
# The C API's symbols in the built library: every function include/kvspec/kvspec.h declares is defined, and
# every C-linkage (unmangled) symbol the library defines carries the kvspec_ prefix.
# Usage: c_api_symbols.sh LIBRARY HEADER   (exit 77, skipped, without nm)
set -eu
lib=$1; header=$2
command -v nm >/dev/null || { echo "skip: no nm"; exit 77; }
case $lib in *.so*) flags="-D --defined-only" ;; *) flags="-g --defined-only" ;; esac
# shellcheck disable=SC2086
defined=$(nm $flags "$lib" 2>/dev/null | awk 'NF == 3 && $2 ~ /^[TDBRW]$/ && $3 !~ /^_Z/ {print $3}' | sort -u)
status=0
stray=$(printf '%s\n' "$defined" | grep -v '^kvspec_' | grep -v '^$' || true)
if [ -n "$stray" ]; then echo "C-linkage symbols without the kvspec_ prefix:"; echo "$stray"; status=1; fi
declared=$(grep -oE 'KVSPEC_API [^(]*[ *](kvspec_[a-z_]+)\(' "$header" | grep -oE 'kvspec_[a-z_]+\($' | tr -d '(')
[ -n "$declared" ] || { echo "no KVSPEC_API declarations found in $header"; exit 1; }
for f in $declared; do
  printf '%s\n' "$defined" | grep -qx "$f" || { echo "declared but not defined: $f"; status=1; }
done
[ $status = 0 ] && echo "ok: $(echo "$declared" | wc -l) functions, all kvspec_"
exit $status
