#!/usr/bin/env bash
# `make bench`: the standard shale-bench suite, side by side with release
# builds of RocksDB and LevelDB.
#
#   1. scripts/build_baselines.sh builds RocksDB and LevelDB from Debian's
#      source packages with -O2 -DNDEBUG, once, into ~/.cache/shale-baselines
#      (falls back to Debian's assertion-enabled binaries, loudly);
#   2. configures and builds shale-bench in build-bench (Release);
#   3. runs the suites, engines taking turns on fresh directories:
#        a  100-byte values, 2M keys: fillseq; fillrandom, readrandom,
#           seekrandom (+10 nexts), readwhilewriting
#        b  4 KiB values, 500k keys: fillrandom, overwrite, readrandom,
#           seekrandom (+10) with shale's value separation and RocksDB's
#           BlobDB (rocksdb-blob) next to RocksDB leveled
#        c  YCSB A-F over 1M records of 1000 bytes
#        b2m  suite b at 2M keys (8 GB per engine, about 12 minutes; not in
#           the default parts): where RocksDB's compaction reaches the
#           foreground, as in the papers key-value separation answers
#   4. writes bench/results/latest.json (all results) and latest.png, and
#      prints the ratio summary.
#
# Environment: BENCH_SUITE=quick for a one-minute run at small sizes;
# BENCH_PARTS="a b c" to choose suites; BENCH_ROUNDS (default 1);
# BENCH_DB (default /tmp/shale-bench); BENCH_NICE (default "nice -n 19":
# the machine is shared; it changes nothing on an idle one).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BENCH_BUILD_DIR:-$root/build-bench}"
cache="${SHALE_BASELINE_CACHE:-$HOME/.cache/shale-baselines}"
results="$root/bench/results"
db="${BENCH_DB:-/tmp/shale-bench}"
suite="${BENCH_SUITE:-standard}"
parts="${BENCH_PARTS:-a b c}"
rounds="${BENCH_ROUNDS:-1}"
nice_cmd="${BENCH_NICE-nice -n 19}"
jobs="${JOBS:-2}"
python="python3"
[ -x /usr/bin/python3 ] && python=/usr/bin/python3

# With autogroup on, nice only orders processes within one session: another
# session's niced build takes as much CPU as the benchmark (docs/bench.md,
# "Timing on a shared machine").
if [ "$(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null)" = 1 ]; then
  busy=$(ps -eo pcpu= | awk '$1 > 20 { n++ } END { print n + 0 }')
  if [ "$busy" -gt 0 ]; then
    echo "!!!!! bench: kernel.sched_autogroup_enabled=1 and $busy busy process(es):"
    echo "!!!!! nice does not keep them off the benchmark's CPU; as root,"
    echo "!!!!! 'sysctl -w kernel.sched_autogroup_enabled=0' makes it count"
  fi
fi

echo "== bench: release baselines (${cache})"
if ! SHALE_BASELINE_CACHE="$cache" JOBS="$jobs" "$root/scripts/build_baselines.sh"; then
  echo "!!!!! bench: building the release baselines FAILED; shale-bench falls back"
  echo "!!!!! to Debian's assertion-enabled librocksdb/libleveldb (see above)"
fi

echo "== bench: building shale-bench (Release) in ${build}"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DSHALE_BENCH_BASELINE_DIR="$cache" >/dev/null
cmake --build "$build" -j "$jobs" --target shale_bench
bench="$build/shale-bench"

case "$suite" in
  standard)
    a_num=2000000; a_reads=500000
    b_num=500000;  b_reads=100000
    b2m_num=2000000
    c_num=1000000; c_ops=200000; c_value=1000 ;;
  quick)
    a_num=200000;  a_reads=50000
    b_num=20000;   b_reads=10000
    b2m_num=80000
    c_num=100000;  c_ops=20000;  c_value=1000 ;;
  *) echo "bench: unknown BENCH_SUITE=$suite"; exit 2 ;;
esac

engines="shale,rocksdb,leveldb"
mkdir -p "$results"
parts_dir="$(mktemp -d /tmp/shale-bench-parts.XXXXXX)"
trap 'rm -rf "$parts_dir"' EXIT
common=(--db="$db" --rounds="$rounds" --seed=301)
run() {  # run NAME FLAGS...: one invocation, JSON into the parts dir
  local name="$1"; shift
  echo
  echo "== bench: $name: shale-bench $*"
  $nice_cmd "$bench" "${common[@]}" --label="$name" --json="$parts_dir/$name.json" "$@"
}

start=$SECONDS
for part in $parts; do
  case "$part" in
    a)
      run a-100B-fillseq --engine="$engines" --benchmarks=fillseq \
        --num="$a_num" --value_size=100
      run a-100B --engine="$engines" \
        --benchmarks=fillrandom,readrandom,seekrandom,readwhilewriting \
        --num="$a_num" --reads="$a_reads" --value_size=100 --seek_nexts=10 ;;
    b)
      run b-4KiB --engine=shale,rocksdb,rocksdb-blob \
        --benchmarks=fillrandom,overwrite,readrandom,seekrandom \
        --num="$b_num" --reads="$b_reads" --value_size=4096 --seek_nexts=10 \
        --value_separation --min_blob_size=512 ;;
    b2m)
      run b-4KiB-2M --engine=shale,rocksdb,rocksdb-blob \
        --benchmarks=fillrandom,overwrite,readrandom,seekrandom \
        --num="$b2m_num" --reads="$b_reads" --value_size=4096 --seek_nexts=10 \
        --value_separation --min_blob_size=512 ;;
    c)
      run c-ycsb --engine="$engines" \
        --benchmarks=ycsb_load,ycsb_a,ycsb_b,ycsb_c,ycsb_f,ycsb_d,ycsb_e \
        --num="$c_num" --reads="$c_ops" --value_size="$c_value" ;;
    *) echo "bench: unknown part '$part'"; exit 2 ;;
  esac
done
echo
echo "== bench: suites took $((SECONDS - start)) s"

"$python" "$root/bench/summary.py" --out "$results/latest.json" "$parts_dir"/*.json
if "$python" "$root/bench/plot.py" "$results/latest.json" "$results/latest.png"; then
  echo "chart: $results/latest.png"
else
  echo "bench: no chart (bench/plot.py needs gnuplot: apt-get install gnuplot-nox)"
fi
