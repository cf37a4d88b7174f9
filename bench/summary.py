#!/usr/bin/env python3
"""Merges shale-bench JSON files and prints the one-screen ratio summary.

    summary.py [--out MERGED.json] RESULT.json...

Each input is a JSON array written by shale-bench --json; objects carry a
"label" (the suite part) and a "benchmark". The summary has one line per
label and benchmark: shale's ops/s, then shale's ratio to each other engine
(>1: shale is faster), write amplification and p99 next to RocksDB's, and
then the goals of issues 4 and 6 with the measured value and whether each
was met.
"""
import argparse
import json
import sys

OTHERS = ("rocksdb", "rocksdb-blob", "leveldb")

# (label, benchmark, what, threshold): the goals to record. "ops" and "wamp"
# compare with RocksDB leveled, "ops-blob" with RocksDB's BlobDB.
GOALS = [
    ("a-100B-fillseq", "fillseq", "ops", 1.3),
    ("a-100B", "fillrandom", "ops", 1.3),
    ("a-100B", "readrandom", "ops", 1.2),
    ("a-100B", "seekrandom", "ops", 1.0),
    ("b-4KiB", "fillrandom", "ops", 2.0),
    ("b-4KiB", "overwrite", "ops", 2.0),
    ("b-4KiB", "fillrandom", "wamp", 0.5),
    ("b-4KiB", "overwrite", "wamp", 0.5),
    ("a-100B", "readwhilewriting", "p99", 1.0),
    ("b-4KiB", "seekrandom", "ops-blob", 1.0),
    # Issue 4's targets at a size where RocksDB's compaction debt reaches
    # the foreground (BENCH_PARTS=b2m).
    ("b-4KiB-2M", "fillrandom", "ops", 2.0),
    ("b-4KiB-2M", "fillrandom", "wamp", 0.5),
    ("b-4KiB-2M", "overwrite", "wamp", 0.5),
    ("b-4KiB-2M", "seekrandom", "ops-blob", 1.0),
]


def wamp_for_goal(r):
    """The larger of the two write amplifications a result carries.

    /proc's write_bytes counts a page when it turns dirty, so a write over a
    page still dirty from an earlier write is not counted again: shale's
    reused WAL files (recycle_log_file_num) land on pages the previous WAL
    left dirty, and /proc then misses most WAL bytes of a short run. The
    engine's own count (WAL + flush + compaction for shale and RocksDB) has
    no such blind spot; a goal takes whichever is larger, so it is never met
    by what the page cache hides."""
    vals = [v for v in (r.get("write_amp"), r.get("engine_write_amp"))
            if v is not None]
    return max(vals) if vals else None


def load(paths):
    rows = []
    for p in paths:
        with open(p) as f:
            rows.extend(json.load(f))
    return rows


def fmt_ratio(v):
    return "-" if v is None else f"{v:.2f}x"


def index(rows):
    by = {}
    for r in rows:
        by[(r.get("label", ""), r["benchmark"], r["engine"])] = r
    return by


def find(by, label, bench, engine):
    return by.get((label, bench, engine))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out")
    ap.add_argument("inputs", nargs="+")
    args = ap.parse_args()
    rows = load(args.inputs)
    if args.out:
        with open(args.out, "w") as f:
            json.dump(rows, f, indent=1)
            f.write("\n")
        print(f"wrote {args.out} ({len(rows)} results)")
    by = index(rows)
    engines = [e for e in OTHERS if any(r["engine"] == e for r in rows)]

    print()
    print("== shale vs the others: ops/s ratio shale/x (>1: shale faster)")
    head = f"{'suite':<15} {'benchmark':<17} {'shale ops/s':>12}"
    for e in engines:
        head += f" {'/' + e:>13}"
    head += f" {'w-amp s|r':>12} {'p99us s|r':>17}"
    print(head)
    seen = []
    for r in rows:
        key = (r.get("label", ""), r["benchmark"])
        if key not in seen:
            seen.append(key)
    for label, bench in seen:
        s = by.get((label, bench, "shale"))
        if not s:
            continue
        line = f"{label:<15} {bench:<17} {s['ops_per_sec']:>12.0f}"
        for e in engines:
            o = by.get((label, bench, e))
            ratio = (s["ops_per_sec"] / o["ops_per_sec"]
                     if o and o["ops_per_sec"] else None)
            line += f" {fmt_ratio(ratio):>13}"
        rk = by.get((label, bench, "rocksdb"))
        wa = lambda x: "-" if not x or wamp_for_goal(x) is None else f"{wamp_for_goal(x):.1f}"
        line += f" {wa(s) + '|' + wa(rk):>12}"
        p99 = lambda x: "-" if not x else f"{x['p99_us']:.1f}"
        line += f" {p99(s) + '|' + p99(rk):>17}"
        print(line)

    builds = sorted({(r["engine"], r.get("baseline_build", "")) for r in rows})
    print()
    print("baselines: " + ", ".join(f"{e}={b}" for e, b in builds))
    if any(b == "debian-asserts" for _, b in builds):
        print("!!!!! WARNING: a baseline is Debian's assertion-enabled build: "
              "ratios flatter shale")
    ignored = sorted({(r["engine"], i) for r in rows
                      for i in r.get("ignored_options", [])})
    for e, i in ignored:
        print(f"note: {e} ignores {i}")

    print()
    print("== goals of issues 4 and 6 (recorded, not enforced)")
    for label, bench, what, threshold in GOALS:
        s = find(by, label, bench, "shale")
        r = find(by, label, bench,
                 "rocksdb-blob" if what == "ops-blob" else "rocksdb")
        if not s or not r:
            continue
        if what in ("ops", "ops-blob"):
            v = s["ops_per_sec"] / r["ops_per_sec"] if r["ops_per_sec"] else None
            text = f"ops/s shale/{r['engine']} >= {threshold:.1f}x"
            ok = v is not None and v >= threshold
            shown = fmt_ratio(v)
        elif what == "wamp":
            a, b = wamp_for_goal(s), wamp_for_goal(r)
            v = a / b if a is not None and b else None
            text = f"w-amp shale/rocksdb <= {threshold:.1f}"
            ok = v is not None and v <= threshold
            shown = "-" if v is None else f"{v:.2f} ({a:.1f} vs {b:.1f})"
        else:  # p99
            a, b = s["p99_us"], r["p99_us"]
            v = a / b if b else None
            text = "p99 shale <= rocksdb"
            ok = v is not None and v <= threshold
            shown = f"{a:.1f} vs {b:.1f} us"
        print(f"  {label:<9} {bench:<17} {text:<33} {shown:<22} "
              f"{'met' if ok else 'MISSED'}")
        # Beside an ops goal, the same ratio counting the flushes and
        # compactions each engine left behind (not a goal itself).
        a, b = s.get("sustained_ops_per_sec"), r.get("sustained_ops_per_sec")
        if what == "ops" and a and b:
            print(f"  {'':<9} {'':<17} {'  sustained (info)':<33} "
                  f"{fmt_ratio(a / b)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
