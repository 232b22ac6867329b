#!/usr/bin/env bash
# Builds kvspec and runs the whole test suite with CTest.
#   scripts/test.sh             warnings as errors, RelWithDebInfo, in build/
#   scripts/test.sh --sanitize  the same under AddressSanitizer + UndefinedBehaviorSanitizer, in build-asan/
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build
flags=(-DKVSPEC_WERROR=ON)
# The package test installs with Debian's python3 (scripts/install-deps.sh gives it setuptools and wheel), not
# whatever python3 comes first on PATH (a pyenv build without wheel would skip it).
if [[ -x /usr/bin/python3 ]]; then flags+=(-DKVSPEC_PACKAGE_PYTHON=/usr/bin/python3); fi
if [[ "${1:-}" == "--sanitize" ]]; then
  dir=build-asan
  flags+=(-DKVSPEC_SANITIZE=ON -DKVSPEC_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=Debug)
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi
cmake -S . -B "$dir" "${flags[@]}" >/dev/null
cmake --build "$dir" -j"$(nproc)"
ctest --test-dir "$dir" --output-on-failure -j"$(nproc)"
