#!/usr/bin/env python3
"""A/B runs of shale-server binaries (and redis-server) under redis-benchmark.

    server_ab.py TARGET... [--rounds N] [--keys N] [--requests N] [-P N]
                 [--perf-dir DIR] [--json FILE]

A TARGET is a shale-server binary or the word `redis` (appendonly yes,
appendfsync everysec). Each round runs every target in turn, the order
reversed every other round, so that drifting load on a shared machine hits
each alike. A run starts the server fresh in a temporary directory,
preloads --keys keys (key:%012d, 100 bytes, as server_bench.py does), then
runs `redis-benchmark -t set` and `-t get` (-n --requests -r --keys -d 100
-c 50 -P -P; SET over one key fewer, see run_target). Besides requests/s
it records the server's CPU time per request (utime + stime of the process,
from /proc), which moves less with the machine's load than throughput does.
Prints the medians and, with a `redis` target, each target's per-round ratio
to Redis.

With --perf-dir, each phase is recorded with `perf record --call-graph
dwarf` attached to the server (which slows it: profile runs are not
throughput runs). Wrap the whole command in `flock -o /tmp/shale-quiet.lock`
on a shared machine.
"""
import argparse
import csv
import io
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import server_bench as sb  # noqa: E402


def process_cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        stat = f.read()
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_target(target, args, tag):
    work = tempfile.mkdtemp(prefix="shale-server-ab.")
    try:
        port = sb.free_port()
        if target == "redis":
            os.makedirs(f"{work}/redis")
            argv = ["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                    "--dir", f"{work}/redis", "--appendonly", "yes",
                    "--appendfsync", "everysec", "--save", "",
                    "--daemonize", "no"]
        else:
            argv = [target, "--dir", f"{work}/shale", "--port", str(port),
                    "--memcache-port", "0", "--http-port", "0",
                    "--fsync", "everysec", "--log-level", "warn"]
        server = sb.Server(target, argv, [port], f"{work}/log")
        try:
            sb.preload(port, args.keys, 100)
            out = {}
            for test in ("set", "get"):
                perf = None
                if args.perf_dir:
                    perf = subprocess.Popen(
                        ["perf", "record", "-F", "1999", "--call-graph",
                         "dwarf,16384", "-o",
                         f"{args.perf_dir}/{tag}-{test}.data",
                         "-p", str(server.proc.pid)],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    time.sleep(0.5)  # perf attaching; not synchronization
                cpu = process_cpu_seconds(server.proc.pid)
                # redis-benchmark seeds random() with time(NULL) ^ getpid(),
                # so the two phases' processes, started a second or two and a
                # few pids apart, often get the same seed: with one -r, GET
                # would then ask for the keys SET just wrote, in the same
                # order, most of them still in shale's memtables (GET at half
                # its CPU per request; Redis cannot tell). With SET drawing
                # over one key fewer, a key is random() % keys or % (keys-1):
                # different keys even under the same seed.
                keyspace = args.keys - 1 if test == "set" else args.keys
                bench = subprocess.run(
                    ["redis-benchmark", "-h", "127.0.0.1", "-p", str(port),
                     "-t", test, "-n", str(args.requests), "-r",
                     str(keyspace), "-d", "100", "-c", "50", "-P",
                     str(args.P), "--csv"],
                    capture_output=True, text=True, timeout=600,
                    check=True).stdout
                cpu = process_cpu_seconds(server.proc.pid) - cpu
                if perf:
                    perf.send_signal(signal.SIGINT)
                    perf.wait()
                for row in csv.DictReader(io.StringIO(bench)):
                    out[test] = float(row["rps"])
                out[test + "_cpu_us"] = cpu / args.requests * 1e6
            return out
        finally:
            server.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("targets", nargs="+")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--keys", type=int, default=1000000)
    ap.add_argument("--requests", type=int, default=500000)
    ap.add_argument("-P", type=int, default=16)
    ap.add_argument("--perf-dir")
    ap.add_argument("--json")
    args = ap.parse_args()
    results = {t: [] for t in args.targets}
    for rnd in range(args.rounds):
        order = args.targets if rnd % 2 == 0 else args.targets[::-1]
        for t in order:
            out = run_target(t, args, f"r{rnd}-{args.targets.index(t)}")
            results[t].append(out)
            print(f"round {rnd} {t}: " +
                  " ".join(f"{k}={v:.2f}" for k, v in out.items()) +
                  f"  load={os.getloadavg()[0]:.2f}", flush=True)
    print()
    for t in args.targets:
        for k in ("set", "get", "set_cpu_us", "get_cpu_us"):
            v = [o[k] for o in results[t]]
            print(f"{t:<40} {k:<11} median {statistics.median(v):>10.2f}  "
                  f"runs {' '.join(f'{x:.2f}' for x in v)}")
    if "redis" in results:
        for t in args.targets:
            if t == "redis":
                continue
            for k in ("set", "get"):
                r = [a[k] / b[k] for a, b in zip(results[t], results["redis"])]
                print(f"{t:<40} {k} / redis: median "
                      f"{statistics.median(r):.2f}  runs "
                      f"{' '.join(f'{x:.2f}' for x in r)}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
