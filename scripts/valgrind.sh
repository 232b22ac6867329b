#!/usr/bin/env bash
# The whole test suite under valgrind memcheck: the test binary itself (the library in process) and, through a
# wrapper (tests/CMakeLists.txt, KVSPEC_TEST_CLI_UNDER_VALGRIND), every CLI run it makes. Any memcheck error or
# definite leak fails: the test binary exits 99, a CLI run exits 99 (its test then fails).
#   scripts/valgrind.sh [GTEST_FILTER]   e.g. 'Hostile.*'; default: everything. Builds in build-valgrind/.
# The tests' time and memory bounds are lifted (KVSPEC_TEST_UNDER_VALGRIND): memcheck is ~20-50x slower.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${KVSPEC_VALGRIND_BUILD:-build-valgrind}  # the build folder (override to reuse one)
filter=${1:-*}
cmake -S . -B "$dir" -DKVSPEC_WERROR=ON -DKVSPEC_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DKVSPEC_TEST_CLI_UNDER_VALGRIND=ON >/dev/null
cmake --build "$dir" -j"$(nproc)"
export KVSPEC_TEST_UNDER_VALGRIND=1
# One memcheck process per core, each running a shard of the tests (gtest sharding).
shards=$(nproc)
start=$SECONDS
pids=()
for ((i = 0; i < shards; ++i)); do
  GTEST_TOTAL_SHARDS=$shards GTEST_SHARD_INDEX=$i \
    valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
    --show-leak-kinds=definite "$dir/tests/kvspec_tests" --gtest_filter="$filter" --gtest_brief=1 \
    >"$dir/valgrind-shard$i.log" 2>&1 &
  pids+=($!)
done
status=0
for i in "${!pids[@]}"; do
  if ! wait "${pids[$i]}"; then
    status=1
    echo "== shard $i failed:"
    tail -50 "$dir/valgrind-shard$i.log"
  fi
done
# The C API test (a C program: every handle, string and error it gets must come back freed).
if ! valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
  --show-leak-kinds=definite "$dir/tests/kvspec_c_api_test" "$dir/tests/kvspec-memcheck" "$PWD/tests/data" \
  >"$dir/valgrind-c-api.log" 2>&1; then
  status=1
  echo "== the C API test failed:"
  tail -50 "$dir/valgrind-c-api.log"
fi
echo "valgrind: $(grep -h -oE '[0-9]+ tests? from [0-9]+ test suites? ran' "$dir"/valgrind-shard*.log | \
  awk '{n += $1} END {print n}') tests in $((SECONDS - start)) s, $([[ $status == 0 ]] && echo clean || echo FAILED)"
exit $status
