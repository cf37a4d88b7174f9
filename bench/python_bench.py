#!/usr/bin/env python3
"""The Python binding's put/get rate against the C++ API and plyvel.

One run measures, on one machine state, each with one and two threads:
  * the C++ API: shale-bench fillrandom + readrandom (16-byte keys, 100-byte
    values, no compression, 10 bloom bits, 64 MiB cache and memtable);
  * shale's Python binding on the same workload (keys b"%016d", random
    order, written then read back);
  * plyvel (Debian's python3-plyvel, LevelDB) with the same settings;
  * the Python binding's gets and puts from two threads against one: the
    GIL is released around engine calls, so two threads on two cores
    should beat one.
Each figure is the median of --rounds runs (fresh DBs). Run it on a quiet
machine: flock -x /tmp/shale-quiet.lock after
sysctl -w kernel.sched_autogroup_enabled=0 (docs/bench.md).

  PYTHONPATH=build/python /usr/bin/python3 bench/python_bench.py \
      --bench build/shale-bench --num 500000
"""

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import shale

VALUE = bytes(random.Random(7).getrandbits(8) for _ in range(100))


def keys_in_random_order(num, seed):
    order = list(range(num))
    random.Random(seed).shuffle(order)
    return [b"%016d" % i for i in order]


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def python_rates(module, path, keys, read_keys, threads):
    """ops/s of puts, then gets, through one binding (shale or plyvel),
    the keys spread over threads."""
    db = module.DB(path, create_if_missing=True, compression=None,
                   bloom_filter_bits=10, lru_cache_size=64 << 20,
                   write_buffer_size=64 << 20)

    def run(fn, all_keys):
        parts = [all_keys[i::threads] for i in range(threads)]
        workers = [threading.Thread(target=fn, args=(p,)) for p in parts]
        start = time.perf_counter()
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        return len(all_keys) / (time.perf_counter() - start)

    def fill(part):
        put, value = db.put, VALUE
        for key in part:
            put(key, value)

    missing = []

    def read(part):
        get = db.get
        for key in part:
            if get(key) is None:
                missing.append(key)

    put_rate = run(fill, keys)
    get_rate = run(read, read_keys)
    db.close()
    if missing:
        raise SystemExit(f"{module.__name__}: {len(missing)} keys missing")
    return put_rate, get_rate


def cpp_rates(bench, path, num, seed, threads):
    """ops/s of shale-bench fillrandom and readrandom (the C++ API)."""
    out = os.path.join(path, "cpp.json")
    subprocess.run(
        [bench, "--engine=shale", "--benchmarks=fillrandom,readrandom",
         f"--num={num}", "--value_size=100", "--key_size=16",
         "--compression=none", "--bloom_bits=10", "--cache_size=64M",
         "--write_buffer_size=64M", f"--seed={seed}", f"--threads={threads}",
         f"--db={os.path.join(path, 'cpp')}", f"--json={out}"],
        check=True, stdout=subprocess.DEVNULL)
    with open(out) as f:
        results = {r["benchmark"]: r["ops_per_sec"] for r in json.load(f)}
    shutil.rmtree(os.path.join(path, "cpp"), ignore_errors=True)
    return results["fillrandom"], results["readrandom"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bench", default="build/shale-bench")
    parser.add_argument("--num", type=int, default=500000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=301)
    parser.add_argument("--dir", default=None,
                        help="scratch directory (default: a new temp dir)")
    args = parser.parse_args()
    try:
        import plyvel
    except ImportError:
        plyvel = None
        print("python_bench: plyvel missing (apt install python3-plyvel)",
              file=sys.stderr)

    keys = keys_in_random_order(args.num, args.seed)
    read_keys = keys_in_random_order(args.num, args.seed + 1)
    rows = {}

    def record(name, pair):
        rows.setdefault(name, []).append(pair)

    # Each round runs every configuration on a fresh DB, in an order
    # rotated per round, so that one configuration does not always follow
    # (say) the one whose writeback is still going on.
    configs = [("C++ API", threads) for threads in (1, 2)]
    configs += [("Python shale", threads) for threads in (1, 2)]
    if plyvel is not None:
        configs += [("Python plyvel", threads) for threads in (1, 2)]
    for r in range(args.rounds):
        scratch = tempfile.mkdtemp(dir=args.dir, prefix="python_bench.")
        try:
            shift = r % len(configs)
            for name, threads in configs[shift:] + configs[:shift]:
                path = os.path.join(scratch, f"{len(rows)}")
                if name == "C++ API":
                    pair = cpp_rates(args.bench, scratch, args.num, args.seed,
                                     threads)
                else:
                    module = shale if name == "Python shale" else plyvel
                    pair = python_rates(module, path, keys, read_keys,
                                        threads)
                record(f"{name}, {threads} thread(s)", pair)
                shutil.rmtree(path, ignore_errors=True)
        finally:
            shutil.rmtree(scratch)
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)

    med = {name: (statistics.median(p[0] for p in pairs),
                  statistics.median(p[1] for p in pairs))
           for name, pairs in rows.items()}
    print(f"{args.num} keys of 16 bytes, 100-byte values, random order; "
          f"median of {args.rounds} rounds (ops/s)")
    print(f"| {'':34} | {'put':>10} | {'get':>10} |")
    print(f"|{'-' * 36}|{'-' * 12}|{'-' * 12}|")
    for name, (put_rate, get_rate) in med.items():
        print(f"| {name:34} | {put_rate:10,.0f} | {get_rate:10,.0f} |")
    def ratio(a, b):
        return (f"put {med[a][0] / med[b][0]:.2f}x, "
                f"get {med[a][1] / med[b][1]:.2f}x")

    print("Python shale / C++ API, 1 thread:",
          ratio("Python shale, 1 thread(s)", "C++ API, 1 thread(s)"))
    if plyvel is not None:
        print("Python shale / plyvel, 1 thread:",
              ratio("Python shale, 1 thread(s)", "Python plyvel, 1 thread(s)"))
    for name in ("C++ API", "Python shale", "Python plyvel"):
        if f"{name}, 2 thread(s)" in med:
            print(f"{name}, 2 threads / 1:",
                  ratio(f"{name}, 2 thread(s)", f"{name}, 1 thread(s)"))


if __name__ == "__main__":
    main()
