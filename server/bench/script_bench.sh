#!/usr/bin/env bash
# EVALSHA side by side: shale-server vs redis-server, both persisting every
# write to an append-only log fsynced once a second (as compare_redis.sh).
# Two scripts: a read-modify-write of one key (GET, INCR, SET with PX) and
# an empty one (`return 1`: a script call's own cost). Loopback only; each
# run is bounded by its request count. Prints requests/s.
#
#   server/bench/script_bench.sh [BUILD_DIR] [REQUESTS] [PIPELINE] [CLIENTS]
set -euo pipefail
build=${1:-build}
n=${2:-100000}
pipeline=${3:-16}
clients=${4:-50}
. "$(dirname "$0")/redis_pair.sh"

rmw="local v = tonumber(redis.call('get', KEYS[1]) or '0') \
local n = redis.call('incr', KEYS[1]) \
redis.call('set', KEYS[1], n, 'PX', 600000) return n"
empty="return 1"

bench() {  # port script -> rps
  local sha
  sha=$(redis-cli -p "$1" script load "$2")
  redis-benchmark -p "$1" -n "$n" -P "$pipeline" -c "$clients" -r 100000 \
    --csv evalsha "$sha" 1 "key:__rand_int__" 2>/dev/null |
    awk -F'","' 'NR==2{print $2}'
}

echo "redis-benchmark -n $n -P $pipeline -c $clients -r 100000 EVALSHA sha 1 key"
printf '%-16s %14s %14s %8s\n' script shale-server redis-server ratio
for name in rmw empty; do
  s=$(bench "$sp" "${!name}")
  r=$(bench "$rp" "${!name}")
  printf '%-16s %14s %14s %8.2f\n' "$name" "$s" "$r" "$(echo "$s / $r" | bc -l)"
done
