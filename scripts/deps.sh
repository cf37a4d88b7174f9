#!/usr/bin/env bash
# Installs the Debian packages shale needs to build, test and run, skipping
# those already present. Called by every make target through `make deps`.
set -euo pipefail

packages=(
  build-essential cmake ninja-build clang clang-format
  libxxhash-dev libcli11-dev libgtest-dev libgmock-dev
  python3
  libboost-dev libspdlog-dev libtomlplusplus-dev nlohmann-json3-dev
  python3-pytest python3-redis python3-pymemcache python3-h11
  redis-tools redis-server libmemcached-tools curl
  librocksdb-dev libleveldb-dev libbenchmark-dev gnuplot-nox memcached dpkg-dev
  pkgconf liblz4-dev libzstd-dev libsnappy-dev liblzf-dev
  pybind11-dev python3-dev python3-plyvel debhelper lintian adduser
  liblua5.1-0-dev lua-cjson-dev lua-bitop-dev
  python3-celery ruby-sidekiq
  nodejs
)
# BullMQ's test (tests/server/test_apps_bullmq.py) runs on node with npm.
# Debian ships npm apart from nodejs; a nodejs from elsewhere (NodeSource)
# carries its own npm, which Debian's npm package would conflict with.
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
