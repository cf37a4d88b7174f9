#!/usr/bin/env python3
"""A stream far bigger than memory (issue 23, "any size"): appends N
entries (default 50 million) to one stream with redis-benchmark, in ten
steps so the rate at the end can be set beside the rate at the start, then
times range reads from its start, middle and end, gives a group a million
pending entries and times XPENDING's summary and XAUTOCLAIM on it, trims
the stream to a million entries and compacts, and reports the server's
RSS after each phase, its peak (VmHWM) and the data directory's size.

    server/bench/stream_big_bench.py build/shale-server [--entries N]
        [--value-size B] [--dir DIR]

The server runs with --fsync everysec and its defaults otherwise. Results
go to docs/bench.md by hand, with the command and the machine's state.
"""
import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import redis


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def proc_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def dir_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(root, name))
            except OSError:
                pass  # removed while walking (a compaction's input)
    return total


def timed(label, fn, repeat):
    t = time.monotonic()
    for _ in range(repeat):
        fn()
    dt = time.monotonic() - t
    print(f"  {label}: {repeat} calls in {dt:.3f} s "
          f"({dt / repeat * 1e6:.0f} us each)", flush=True)
    return dt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("shale_server")
    ap.add_argument("--entries", type=int, default=50_000_000)
    ap.add_argument("--value-size", type=int, default=100)
    ap.add_argument("--pending", type=int, default=1_000_000)
    ap.add_argument("--dir", help="data directory parent (default: a "
                    "temporary directory, removed at the end)")
    args = ap.parse_args()

    work = args.dir or tempfile.mkdtemp(prefix="shale-stream-big.")
    data = os.path.join(work, "data")
    port, http = free_port(), free_port()
    log = open(os.path.join(work, "server.log"), "w")
    proc = subprocess.Popen([args.shale_server, "--dir", data, "--port",
                             str(port), "--memcache-port", "0",
                             "--http-port", str(http), "--fsync", "everysec",
                             "--log-level", "warn"], stdout=log,
                            stderr=subprocess.STDOUT)
    pid = proc.pid

    def rss():
        return (f"RSS {proc_kb(pid, 'VmRSS') / 1024:.0f} MiB, peak "
                f"{proc_kb(pid, 'VmHWM') / 1024:.0f} MiB, data "
                f"{dir_bytes(data) / 2**30:.2f} GiB")

    try:
        r = redis.Redis(port=port, socket_timeout=600)
        deadline = time.monotonic() + 20
        while True:
            try:
                r.ping()
                break
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.05)

        step = args.entries // 10
        value = "v" * args.value_size
        print(f"append {args.entries} entries ({args.value_size}-byte "
              "values) in 10 steps: redis-benchmark -c 4 -P 64 XADD big * "
              "f <value>", flush=True)
        for i in range(10):
            t = time.monotonic()
            subprocess.run(["redis-benchmark", "-p", str(port), "-c", "4",
                            "-P", "64", "-n", str(step), "-q", "XADD", "big",
                            "*", "f", value], check=True,
                           stdout=subprocess.DEVNULL)
            dt = time.monotonic() - t
            print(f"  step {i + 1}: {step / dt:,.0f} entries/s, XLEN "
                  f"{r.xlen('big'):,}; {rss()}", flush=True)

        first = r.xrange("big", "-", "+", count=1)[0][0].decode()
        last = r.xrevrange("big", "+", "-", count=1)[0][0].decode()
        mid = (int(first.split("-")[0]) + int(last.split("-")[0])) // 2
        print(f"range reads of 10 entries (first {first}, last {last})")
        timed("XRANGE big - + COUNT 10 (start)",
              lambda: r.xrange("big", "-", "+", count=10), 1000)
        timed(f"XRANGE big {mid} + COUNT 10 (middle)",
              lambda: r.xrange("big", str(mid), "+", count=10), 1000)
        timed("XREVRANGE big + - COUNT 10 (end)",
              lambda: r.xrevrange("big", "+", "-", count=10), 1000)
        print(f"  {rss()}")

        print(f"a group with {args.pending:,} pending entries")
        r.xgroup_create("big", "g", id="0")
        t = time.monotonic()
        for i in range(args.pending // 1000):
            r.xreadgroup("g", "c%d" % (i % 10), {"big": ">"}, count=1000)
        print(f"  XREADGROUP COUNT 1000 x {args.pending // 1000}: "
              f"{time.monotonic() - t:.1f} s; {rss()}", flush=True)
        summary = r.xpending("big", "g")
        assert summary["pending"] == args.pending, summary
        timed("XPENDING big g (summary)", lambda: r.xpending("big", "g"),
              100)
        timed("XAUTOCLAIM big g c0 0 0-0 COUNT 100",
              lambda: r.xautoclaim("big", "g", "c0", 0, "0-0", count=100),
              100)
        timed("XPENDING big g - + 100",
              lambda: r.xpending_range("big", "g", "-", "+", 100), 100)
        print(f"  {rss()}")

        keep = min(1_000_000, args.entries // 10)
        before = dir_bytes(data)
        # In steps of at most 10,000 entries (`~`'s default LIMIT), as a
        # stream capped by XADD MAXLEN ~ is trimmed: one XTRIM = of every
        # entry at once holds all its deletions in one batch (see
        # docs/protocols.md, XTRIM).
        t = time.monotonic()
        removed = calls = 0
        while True:
            n = r.xtrim("big", maxlen=keep, approximate=True, limit=10000)
            if n == 0:
                break
            removed += n
            calls += 1
        print(f"XTRIM big MAXLEN ~ {keep} LIMIT 10000 x {calls}: "
              f"{removed:,} removed in {time.monotonic() - t:.1f} s; {rss()}",
              flush=True)
        t = time.monotonic()
        req = urllib.request.Request(f"http://127.0.0.1:{http}"
                                     "/v1/admin/compact", method="POST")
        urllib.request.urlopen(req, timeout=3600).read()
        print(f"compaction: {time.monotonic() - t:.1f} s; data "
              f"{before / 2**30:.2f} GiB before the trim, "
              f"{dir_bytes(data) / 2**30:.2f} GiB after; {rss()}")
        print(f"peak RSS {proc_kb(pid, 'VmHWM') / 1024:.0f} MiB")
    finally:
        proc.terminate()
        proc.wait(timeout=120)
        log.close()
        if not args.dir:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
