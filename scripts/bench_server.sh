#!/usr/bin/env bash
# `make bench-server`: shale-server against redis-server and memcached
# (bench/server_bench.py does the work). Skips, saying so, when shale-server
# has not been built (the server has not landed).
#
# Usage: scripts/bench_server.sh [BUILD_DIR]   (default build)
# Environment: SERVER_BENCH_ARGS, e.g. "--quick" or "--requests 1000000".
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
server="$build/shale-server"
if [ ! -x "$server" ]; then
  echo "bench-server: $server is not built (the server has not landed in this"
  echo "bench-server: tree, or the build failed); skipping the server benchmarks"
  exit 0
fi
mkdir -p "$root/bench/results"
# shellcheck disable=SC2086
exec ${BENCH_NICE-nice -n 19} python3 "$root/bench/server_bench.py" "$server" \
  --json "$root/bench/results/server-latest.json" ${SERVER_BENCH_ARGS:-}
