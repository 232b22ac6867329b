#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan, in build-fuzz/) and runs each for a while, one after the
# other, then reports executions and coverage per target.
#   scripts/fuzz.sh [SECONDS] [TARGET...]   default 60 s each, every target in fuzz/targets/
# The working corpus persists in build-fuzz/corpus/TARGET (longer runs pick up where the last one stopped); seeds
# come from the fixtures and fuzz/corpus/TARGET (the committed regression inputs). A crash, leak, UB, timeout
# or out-of-memory leaves its input in build-fuzz/findings/ and makes the script exit 1. Copy such an input into
# fuzz/corpus/TARGET/ once fixed: the test suite replays it (tests/fuzz_replay_test.cpp).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
seconds=${1:-60}
shift || true
build=build-fuzz

if [[ $# -gt 0 ]]; then
  targets=("$@")
else
  targets=()
  for f in fuzz/targets/*_target.cpp; do
    t=$(basename "$f" _target.cpp)
    targets+=("$t")
  done
fi

CXX=${CXX:-clang++} cmake -S . -B "$build" -DKVSPEC_FUZZ=ON -DKVSPEC_BUILD_TESTS=OFF -DKVSPEC_BUILD_BENCH=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" --target $(printf 'fuzz_%s ' "${targets[@]}")

# Seed inputs per target: every file format's fixtures, flattened into one folder.
seed() {
  local t=$1 dir=$build/seeds/$1
  rm -rf "$dir" && mkdir -p "$dir"
  case $t in
    config)
      for c in tests/data/configs/*/config.json /work/shared/fixtures/configs/*/config.json examples/*/config.json; do
        [[ -f $c ]] && cp "$c" "$dir/$(basename "$(dirname "$c")").json"
      done ;;
    safetensors)
      find tests/data -name '*.safetensors' -size -1M -exec cp -t "$dir" {} + 2>/dev/null || true ;;
    gguf)
      for g in tests/data/gguf/*.gguf /work/shared/fixtures/llama.cpp/gguf/*.gguf; do
        [[ -f $g ]] && cp "$g" "$dir/"
      done ;;
  esac
  [[ -d fuzz/corpus/$t ]] && cp fuzz/corpus/"$t"/* "$dir/" 2>/dev/null || true
  echo "$dir"
}

# The committed dictionary plus every string literal in src/ (keys of families added later included).
dictionary() {
  local t=$1 out=$build/$1.dict
  : >"$out"
  [[ -f fuzz/$t.dict ]] && cat "fuzz/$t.dict" >>"$out"
  if [[ $t == config || $t == safetensors || $t == gguf ]]; then
    grep -ohE '"[a-zA-Z][A-Za-z0-9_.]{1,60}"' -r src | sort -u | sed 's/"/\\"/g; s/^/"/; s/$/"/' >>"$out"
  fi
  echo "$out"
}

mkdir -p "$build/findings" "$build/logs"
summary=()
status=0
for t in "${targets[@]}"; do
  corpus=$build/corpus/$t
  mkdir -p "$corpus"
  seeds=$(seed "$t")
  dict=$(dictionary "$t")
  dict_flag=()
  [[ -s $dict ]] && dict_flag=(-dict="$root/$dict")
  log=$build/logs/$t.log
  echo "== fuzz_$t: ${seconds}s"
  rc=0
  (cd "$build" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "./fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=512 \
    "${dict_flag[@]}" -artifact_prefix="$root/$build/findings/$t-" -print_final_stats=1 \
    "$root/$corpus" "$root/$seeds") >"$log" 2>&1 || rc=$?
  edges=$(grep -m1 -oE 'Loaded [0-9]+ modules +\(([0-9]+) inline 8-bit counters\)' "$log" | grep -oE '\(([0-9]+)' | tr -d '(' || true)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(grep -oE 'cov: [0-9]+' <<<"$last" | cut -d' ' -f2 || true)
  ft=$(grep -oE 'ft: [0-9]+' <<<"$last" | cut -d' ' -f2 || true)
  execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1 || true)
  rate=$(grep -oE 'stat::average_exec_per_sec: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1 || true)
  units=$(find "$corpus" -type f | wc -l)
  pct=""
  [[ -n $edges && -n $cov ]] && pct=$(awk -v c="$cov" -v e="$edges" 'BEGIN{printf " (%.1f%%)", 100*c/e}')
  line=$(printf '%-12s %4ss  execs %-10s %6s/s  cov %s of %s edges%s  ft %s  corpus %s' "$t" "$seconds" \
    "${execs:-?}" "${rate:-?}" "${cov:-?}" "${edges:-?}" "$pct" "${ft:-?}" "$units")
  if ((rc != 0)); then
    line+="  FAILED (rc $rc, see $log and $build/findings/)"
    grep -E 'ERROR|runtime error|invariant failed|SUMMARY' "$log" | head -5 || true
    status=1
  fi
  summary+=("$line")
done
echo
echo "== fuzz summary (cov = edges of kvspec's instrumented code reached)"
printf '%s\n' "${summary[@]}"
exit $status
