#!/usr/bin/python3
"""The differential test: the same seeded command sequences on Debian's
redis-server and on shale-server, replies compared byte for byte.

    compat.py [--seed N] [--seeds N] [--duration S] [--length N]
              [--families a,b] [--replay FILE] [--no-shrink]

Runs sequences seed, seed+1, ... until --seeds sequences have run or
--duration seconds have passed. It prints the base seed first; on the
first mismatch it shrinks the sequence, prints the smallest failing one
with both servers' replies, saves it as JSON (--replay runs it again) and
exits 1. README.md says how to add a command family.
"""
import argparse
import json
import os
import random
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import families  # noqa: E402
import servers  # noqa: E402
from gen import Op, generate  # noqa: E402
from runner import Runner, format_args  # noqa: E402
from shrink import shrink  # noqa: E402


def print_sequence(runner, ops, out=sys.stdout):
    """Replays ops once more, printing each with both servers' replies."""
    from resp import show
    runner.reset()
    for i, op in enumerate(ops):
        m = runner.step(i, op)
        print("  c%d> %s" % (op.conn, format_args(op.args, 80)), file=out)
        if op.settle_ms:
            print("       (wait %d ms: the expiry passes)" % op.settle_ms,
                  file=out)
        if m is not None:
            print("       redis: " + "; ".join(show(f) for f in m.redis),
                  file=out)
            print("       shale: " + "; ".join(show(f) for f in m.shale),
                  file=out)
            return
    m = runner.finish(len(ops))
    if m is not None:
        print("  " + m.describe(), file=out)


def save(ops, seed, path):
    with open(path, "w") as f:
        json.dump({"seed": seed, "ops": [op.to_json() for op in ops]}, f,
                  indent=1)


def load(path):
    with open(path) as f:
        d = json.load(f)
    return d.get("seed"), [Op.from_json(o) for o in d["ops"]]


def report(runner, ops, m, seed, args):
    print("compat: MISMATCH in sequence seed=%s, %s" % (seed, m.describe()))
    if not args.no_shrink:
        print("compat: shrinking %d operations ..." % (m.index + 1))
        ops, m = shrink(runner, ops, m, budget_s=args.shrink_seconds)
    path = os.path.join(tempfile.gettempdir(),
                        "shale-compat-failure-%s.json" % seed)
    save(ops, seed, path)
    print("compat: minimal failing sequence (%d operations, seed %s):" %
          (len(ops), seed))
    print_sequence(runner, ops)
    print("compat: saved as %s; rerun with\n  /usr/bin/python3 "
          "tests/compat/compat.py --replay %s" % (path, path))
    print("compat: or regenerate with --seed %s --seeds 1 --families %s" %
          (seed, ",".join(f.name for f in args.fams)))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seed", type=int, default=None,
                   help="first sequence's seed (default: random)")
    p.add_argument("--seeds", type=int, default=0,
                   help="number of sequences (0: until --duration)")
    p.add_argument("--duration", type=float, default=60,
                   help="seconds to run (default 60)")
    p.add_argument("--length", type=int, default=200,
                   help="operations per sequence (default 200)")
    p.add_argument("--families", default="",
                   help="comma-separated families (default: all)")
    p.add_argument("--replay", help="run a saved sequence (JSON)")
    p.add_argument("--no-shrink", action="store_true")
    p.add_argument("--triage", action="store_true",
                   help="print each sequence's first mismatch (one per "
                   "command name) and go on; exit 1 if any")
    p.add_argument("--shrink-seconds", type=float, default=180)
    args = p.parse_args()
    names = [n for n in args.families.split(",") if n]
    args.fams = families.load(names)
    redis, shale = servers.start_pair()
    runner = Runner(redis, shale, args.fams)
    try:
        if args.replay:
            seed, ops = load(args.replay)
            m = runner.run(ops)
            if m is None:
                print("compat: replay of %s: no mismatch" % args.replay)
                return 0
            report(runner, ops, m, seed, args)
            return 1
        base = args.seed if args.seed is not None else \
            random.SystemRandom().randrange(1 << 31)
        print("compat: base seed %d, families %s, %d ops per sequence "
              "(rerun: --seed %d)" % (base, ",".join(f.name for f in args.fams),
                                      args.length, base), flush=True)
        start = time.monotonic()
        n = 0
        seen = {}
        while True:
            if args.seeds and n >= args.seeds:
                break
            if not args.seeds and time.monotonic() - start >= args.duration:
                break
            seed = base + n
            ops = generate(seed, args.fams, args.length)
            m = runner.run(ops)
            if m is None and not shale.alive():
                print("compat: shale-server died:\n" + shale.log())
                return 1
            if m is not None and args.triage and shale.alive():
                if m.name() not in seen:
                    seen[m.name()] = seed
                    print("compat: seed %d: %s" % (seed, m.describe()),
                          flush=True)
                n += 1
                continue
            if m is not None:
                if not shale.alive():
                    print("compat: shale-server died:\n" + shale.log())
                report(runner, ops, m, seed, args)
                return 1
            n += 1
        if seen:
            print("compat: %d sequences, differences in %s" %
                  (n, ", ".join(sorted(seen))))
            return 1
        print("compat: %d sequences (seeds %d..%d), %d operations, no "
              "difference, %.1f s" % (n, base, base + n - 1, n * args.length,
                                      time.monotonic() - start))
        return 0
    finally:
        runner.close()
        redis.cleanup()
        shale.cleanup()


if __name__ == "__main__":
    sys.exit(main())
