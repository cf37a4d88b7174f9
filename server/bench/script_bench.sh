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
tmp=$(mktemp -d)
shale_pid= redis_pid=
cleanup() {
  [ -n "$shale_pid" ] && kill "$shale_pid" 2>/dev/null && wait "$shale_pid" 2>/dev/null
  [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_port() {
  for _ in $(seq 200); do
    redis-cli -p "$1" ping >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "server on port $1 did not start" >&2
  return 1
}

sp=$(free_port)
"$build/shale-server" --dir "$tmp/shale" --port "$sp" --memcache-port 0 \
  --http-port 0 --fsync everysec --log-level warn &
shale_pid=$!
rp=$(free_port)
redis-server --port "$rp" --bind 127.0.0.1 --dir "$tmp" --save '' \
  --appendonly yes --appendfsync everysec --daemonize no \
  --logfile "$tmp/redis.log" &
redis_pid=$!
wait_port "$sp"
wait_port "$rp"

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
