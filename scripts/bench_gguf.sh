#!/usr/bin/env bash
# Whole-process timing of `kvspec inspect` on a GGUF with a 256k-token vocabulary (header only, written by the
# test writer): wall time and peak RSS from /usr/bin/time -v, best of N runs. With --node, the same file through
# `npx node-llama-cpp inspect gguf` (needs `npm install node-llama-cpp` in $NLC_DIR, default the current folder).
#   scripts/bench_gguf.sh [--runs N] [--node] [BUILD_DIR]
set -euo pipefail
nlc_dir=${NLC_DIR:-$PWD}
cd "$(dirname "$0")/.."
runs=5
node=0
build=build
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --node) node=1; shift ;;
    *) build=$1; shift ;;
  esac
done
cmake --build "$build" --target kvspec_cli kvspec_gguf_gen -j2 >/dev/null
file=$(mktemp /tmp/kvspec-vocab256k-XXXX.gguf)
trap 'rm -f "$file"' EXIT
"$build/bench/kvspec_gguf_gen" "$file" 262144
echo "file: $file ($(stat -c %s "$file") bytes, 262144-token vocabulary + merges, 291 tensor infos)"

measure() {  # label, command...
  local label=$1; shift
  local best_t="" best_rss="" best_cpu=""
  for ((i = 0; i < runs; i++)); do
    local log
    log=$(/usr/bin/time -v "$@" 2>&1 >/dev/null) || { echo "$label: failed"; echo "$log" | tail -5; return; }
    local t rss
    t=$(echo "$log" | awk -F': ' '/Elapsed \(wall clock\)/ {print $2}')
    rss=$(echo "$log" | awk -F': ' '/Maximum resident set size/ {print $2}')
    local cpu
    cpu=$(echo "$log" | awk -F': ' '/User time|System time/ {s += $2} END {print s}')
    if [[ -z "$best_cpu" ]] || awk "BEGIN {exit !($cpu < $best_cpu)}"; then best_cpu=$cpu; fi
    # m:ss.cc -> seconds
    local secs
    secs=$(echo "$t" | awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
    if [[ -z "$best_t" ]] || awk "BEGIN {exit !($secs < $best_t)}"; then best_t=$secs; fi
    if [[ -z "$best_rss" ]] || ((rss < best_rss)); then best_rss=$rss; fi
  done
  printf '%-34s best wall %6.3f s   CPU %6.2f s   peak RSS %7d KiB   (%d runs)\n' "$label" "$best_t" "$best_cpu" \
    "$best_rss" "$runs"
}

measure "kvspec inspect --json" "$build/kvspec" inspect "$file" --json
measure "kvspec inspect (text)" "$build/kvspec" inspect "$file"
if ((node)); then
  measure "npx node-llama-cpp inspect gguf" bash -c 'cd "$1" && exec npx --no-install node-llama-cpp inspect gguf "$2" --plainJson' _ "$nlc_dir" "$file"
fi
