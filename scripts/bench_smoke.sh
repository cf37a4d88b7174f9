#!/usr/bin/env bash
# The shale-bench smoke test (run by ctest, so by `make test`): every
# benchmark on every engine built in, at a tiny size, with --verify, then
# checks the JSON: one object per engine x benchmark, ops_per_sec > 0, no
# verification failure. Takes seconds.
#
# Usage: scripts/bench_smoke.sh BUILD/shale-bench WORKDIR
set -euo pipefail
bench="$1"
work="$2"
rm -rf "$work"
mkdir -p "$work"

# Engines: all that this binary has (the script must not depend on which).
engines=$("$bench" --list_engines)
[ -n "$engines" ] || { echo "smoke: could not list engines"; exit 1; }
echo "smoke: engines $engines"

benchmarks=fillseq,readrandom,readseq,readreverse,seekrandom,fillrandom,overwrite,readrandom,deleterandom,readrandom,seekrandom,readwhilewriting,ycsb_load,ycsb_a,ycsb_b,ycsb_c,ycsb_d,ycsb_e,ycsb_f,readseq

# Single-threaded: every value read is checked to be exactly the last one
# written. Small write buffers make the engines flush to tables.
"$bench" --engine="$engines" --benchmarks="$benchmarks" --num=3000 --reads=2000 \
  --seek_nexts=5 --write_buffer_size=256K --value_size=100 --verify --settle=0.1 \
  --db="$work/db" --json="$work/single.json" --label=smoke --min_blob_size=64 \
  --value_separation

# Multi-threaded: values checked to belong to their key.
"$bench" --engine="$engines" --benchmarks=fillrandom,overwrite,readrandom,seekrandom,readwhilewriting,ycsb_a,ycsb_f \
  --num=3000 --reads=2000 --threads=2 --write_buffer_size=256K --verify --settle=0.1 \
  --db="$work/db" --json="$work/threads.json" --label=smoke

python3 - "$work/single.json" "$engines" "$benchmarks" \
          "$work/threads.json" "fillrandom,overwrite,readrandom,seekrandom,readwhilewriting,ycsb_a,ycsb_f" <<'PY'
import json, sys
failed = []
checked = 0
for path, engines, benches in ((sys.argv[1], sys.argv[2], sys.argv[3]),
                               (sys.argv[4], sys.argv[2], sys.argv[5])):
    rows = json.load(open(path))
    labels, seen = [], {}
    for b in benches.split(","):  # the k-th repeat of a name is "name#k"
        seen[b] = seen.get(b, 0) + 1
        labels.append(b if seen[b] == 1 else f"{b}#{seen[b]}")
    want = {(e, b) for e in engines.split(",") for b in labels}
    got = {}
    for r in rows:
        for field in ("engine", "benchmark", "ops_per_sec", "p50_us", "p99_us",
                      "write_amp", "disk_bytes", "baseline_build"):
            if field not in r:
                failed.append(f"{path}: object without {field}: {r.get('engine')}/{r.get('benchmark')}")
        key = (r["engine"], r["benchmark"])
        if key in got:
            failed.append(f"{path}: {key} appears twice")
        got[key] = r
        if not (r["ops_per_sec"] or 0) > 0:
            failed.append(f"{path}: {key}: ops_per_sec {r['ops_per_sec']}")
        if r["verify_failures"] != 0 or r["error"]:
            failed.append(f"{path}: {key}: {r['verify_failures']} verify failures {r['error']}")
        if not r["verify"]:
            failed.append(f"{path}: {key}: not verified")
        checked += 1
    for key in sorted(want - set(got)):
        failed.append(f"{path}: missing {key}")
    for key in sorted(set(got) - want):
        failed.append(f"{path}: unexpected {key}")
for f in failed:
    print("smoke: FAIL", f)
print(f"smoke: {checked} results checked, {len(failed)} problems")
sys.exit(1 if failed else 0)
PY

# The summary `make bench` prints, over the same results labeled as the
# suites: it must run, and list a goal of each kind (ops, w-amp, BlobDB).
root="$(cd "$(dirname "$0")/.." && pwd)"
python3 - "$work/single.json" "$work/suites.json" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
out = []
for label in ("b-4KiB", "b-4KiB-2M"):
    for r in rows:
        out.append(dict(r, label=label))
json.dump(out, open(sys.argv[2], "w"))
PY
summary=$(python3 "$root/bench/summary.py" "$work/suites.json")
for want in "b-4KiB-2M fillrandom        ops/s shale/rocksdb >=" \
            "b-4KiB-2M overwrite         w-amp shale/rocksdb <=" \
            "b-4KiB-2M seekrandom        ops/s shale/rocksdb-blob >="; do
  if ! grep -qF "$want" <<<"$summary"; then
    if grep -q rocksdb <<<"$engines"; then
      echo "smoke: FAIL summary.py printed no line with '$want':"
      echo "$summary"
      exit 1
    fi
  fi
done
echo "smoke: summary.py ran"
rm -rf "$work"
