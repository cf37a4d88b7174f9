# Sourced by the side-by-side benchmarks (compare_redis.sh, script_bench.sh):
# starts shale-server and redis-server on free loopback ports, both
# persisting every write to an append-only log fsynced once a second
# (shale: --fsync everysec; Redis: appendonly yes, appendfsync everysec),
# waits until both answer, and stops them on exit. Reads $build; sets $sp
# and $rp (the RESP ports) and $tmp (their directory, removed on exit).
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
