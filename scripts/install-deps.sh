#!/usr/bin/env bash
# Installs kvspec's build and test dependencies from Debian 12's archive (run as root).
set -euo pipefail
packages=(
  build-essential cmake pkg-config git
  libsimdjson-dev libfmt-dev libcli11-dev
  libcurl4-openssl-dev libcpp-httplib-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang clang-format clang-tidy libclang-rt-14-dev valgrind ccache
  python3 python3-dev pybind11-dev
  python3-setuptools python3-wheel python3-venv python3-pip  # pip install . (python/package_test.py)
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
