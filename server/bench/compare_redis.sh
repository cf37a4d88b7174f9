#!/usr/bin/env bash
# Side-by-side redis-benchmark: shale-server vs redis-server, both persisting
# every write to an append-only log fsynced once a second (shale: --fsync
# everysec; Redis: appendonly yes, appendfsync everysec). Loopback only; each
# run is bounded by its request count. Prints a table of requests/s.
#
#   server/bench/compare_redis.sh [BUILD_DIR] [REQUESTS] [PIPELINE] [CLIENTS]
set -euo pipefail
build=${1:-build}
n=${2:-1000000}
pipeline=${3:-16}
clients=${4:-50}
. "$(dirname "$0")/redis_pair.sh"

# PING_MBULK measures the network layer and the RESP parser alone; SET and
# GET add the engine.
bench() {  # port -> "PING rps SET rps GET rps"
  redis-benchmark -p "$1" -t ping_mbulk,set,get -n "$n" -P "$pipeline" \
    -c "$clients" -r 100000 -d 64 --csv 2>/dev/null |
    awk -F'","' '/^"PING_MBULK"/{p=$2} /^"SET"/{s=$2} /^"GET"/{g=$2}
                 END{print p, s, g}'
}

read -r s_ping s_set s_get < <(bench "$sp")
read -r r_ping r_set r_get < <(bench "$rp")
echo "redis-benchmark -n $n -P $pipeline -c $clients -r 100000 -d 64"
printf '%-10s %14s %14s %8s\n' op shale-server redis-server ratio
row() {
  printf '%-10s %14s %14s %8.2f\n' "$1" "$2" "$3" "$(echo "$2 / $3" | bc -l)"
}
row PING_MBULK "$s_ping" "$r_ping"
row SET "$s_set" "$r_set"
row GET "$s_get" "$r_get"
