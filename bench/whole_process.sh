#!/usr/bin/env bash
# Whole-process timing: `kvspec inspect` run N times per model over the fixture zoo (fork + exec + read + print).
#   bench/whole_process.sh [BUILD_DIR] [N]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
n=${2:-20}
bin="$build/kvspec"
dirs=(tests/data/configs/*/)
start=$(date +%s%N)
for ((i = 0; i < n; i++)); do
  for d in "${dirs[@]}"; do "$bin" inspect "$d" --context 32k >/dev/null; done
done
end=$(date +%s%N)
runs=$((n * ${#dirs[@]}))
# Baseline in the same session: the cost of starting a trivial process (`true`) as many times.
bstart=$(date +%s%N)
for ((i = 0; i < runs; i++)); do /bin/true; done
bend=$(date +%s%N)
per=$(((end - start) / runs / 1000))
base=$(((bend - bstart) / runs / 1000))
echo "kvspec inspect: ${runs} runs over ${#dirs[@]} models, ${per} us per run (process start baseline /bin/true: ${base} us)"
echo "zoo scan: $(((end - start) / n / 1000000)) ms for all ${#dirs[@]} models"
