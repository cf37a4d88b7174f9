#!/usr/bin/env python3
"""Server benchmarks: shale-server against redis-server and memcached.

    server_bench.py SHALE_SERVER [--json FILE] [--requests N] [--keys N]
                    [--seconds S] [--quick]

Starts, each on free loopback ports in a fresh directory:
  shale-server   RESP and memcached front ends, --fsync everysec
  redis-server   appendonly yes, appendfsync everysec (RDB snapshots off, so
                 both persist through their log alone)
  memcached      in memory, 2 threads
then, the servers taking turns on each test:
  redis-benchmark -t set,get -d 100 -r KEYS -n REQUESTS -c 50, at -P 1 and
      -P 16, after preloading all KEYS keys (key:%012d, 100-byte values) so
      every GET hits;
  redis-benchmark's collection tests (-t COLLECTION_TESTS below: lists,
      sets, hashes, sorted sets, LRANGE of 100 and 300 elements, MSET), the
      same sizes, at -P 1 and -P 16;
  redis-benchmark's stream commands of STREAM_TESTS below (XADD with and
      without MAXLEN ~, XRANGE of 10, a group's XREADGROUP of one entry and
      XACK of one), at -P 1 and -P 16;
  redis-benchmark EVALSHA of the SCRIPTS below (a read-modify-write of one
      key: GET, INCR, SET with PX; and `return 1`, a script call's own
      cost) on keys over KEYS, at -P 1 and -P 16;
  memcaslap -X 100 (its default 1 set : 9 gets) against shale's memcached
      front end and memcached.
Prints a table with shale's ratio to the other server and writes JSON.
Only loopback addresses are used; every run is bounded in time.
"""
import argparse
import csv
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False


class Server:
    def __init__(self, name, argv, ports, log):
        self.name, self.ports = name, ports
        self.log = open(log, "w")
        self.proc = subprocess.Popen(argv, stdout=self.log,
                                     stderr=subprocess.STDOUT,
                                     start_new_session=True)
        for p in ports:
            if not wait_port(p, self.proc):
                self.stop()
                raise RuntimeError(f"{name} did not start (see {log})")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def resp(*args):
    out = [f"*{len(args)}\r\n".encode()]
    for a in args:
        b = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(b), b))
    return b"".join(out)


def preload(port, keys, value_size):
    """SETs key:%012d for every key, pipelined 1000 at a time."""
    value = (b"v" * value_size)
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.settimeout(60)
        f = s.makefile("rb")
        for start in range(0, keys, 1000):
            end = min(keys, start + 1000)
            s.sendall(b"".join(resp(b"SET", b"key:%012d" % i, value)
                               for i in range(start, end)))
            for _ in range(start, end):
                line = f.readline()
                if not line.startswith(b"+OK"):
                    raise RuntimeError(f"preload on port {port}: {line!r}")


# redis-benchmark's tests of the collection types (issue 18's list), one
# redis-benchmark run each (each with its own time bound), in redis-
# benchmark's order: SADD before SPOP, ZADD before ZPOPMIN. SPOP walks the
# set to its pick on shale (docs/protocols.md, "Random picks": O(n) a call),
# so it gets at most SPOP_REQUESTS requests, on both servers alike.
COLLECTION_TESTS = ("lpush", "rpush", "lpop", "rpop", "sadd", "hset", "spop",
                    "zadd", "zpopmin", "lrange_100", "lrange_300", "mset")
SPOP_REQUESTS = 10000


def redis_benchmark(port, requests, keys, pipeline, timeout, tests="set,get"):
    argv = ["redis-benchmark", "-h", "127.0.0.1", "-p", str(port),
            "-t", tests, "-n", str(requests), "-r", str(keys),
            "-d", "100", "-c", "50", "-P", str(pipeline), "--csv"]
    out = subprocess.run(argv, capture_output=True, text=True,
                         timeout=timeout, check=True).stdout
    results = {}
    for row in csv.DictReader(io.StringIO(out)):
        results[row["test"].lower()] = {
            "ops_per_sec": float(row["rps"]),
            "p50_us": float(row["p50_latency_ms"]) * 1000,
            "p99_us": float(row["p99_latency_ms"]) * 1000,
            "avg_us": float(row["avg_latency_ms"]) * 1000,
        }
    return results, " ".join(argv)


# EVALSHA benchmarks (issue 21): name -> script, run on ctr:__rand_int__
# (not the preloaded key:..., whose 100-byte values INCR refuses, and
# redis-benchmark stops at the first error reply).
SCRIPTS = {
    "evalsha_rmw": "local v = tonumber(redis.call('get', KEYS[1]) or '0') "
                   "local n = redis.call('incr', KEYS[1]) "
                   "redis.call('set', KEYS[1], n, 'PX', 600000) return n",
    "evalsha_empty": "return 1",
}


def evalsha_benchmark(port, name, requests, keys, pipeline, timeout):
    sha = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(port),
                          "script", "load", SCRIPTS[name]],
                         capture_output=True, text=True, timeout=timeout,
                         check=True).stdout.strip()
    argv = ["redis-benchmark", "-h", "127.0.0.1", "-p", str(port),
            "-n", str(requests), "-r", str(keys), "-c", "50",
            "-P", str(pipeline), "--csv", "evalsha", sha, "1",
            "ctr:__rand_int__"]
    out = subprocess.run(argv, capture_output=True, text=True,
                         timeout=timeout, check=True).stdout
    row = next(csv.DictReader(io.StringIO(out)))
    return {name: {
        "ops_per_sec": float(row["rps"]),
        "p50_us": float(row["p50_latency_ms"]) * 1000,
        "p99_us": float(row["p99_latency_ms"]) * 1000,
        "avg_us": float(row["avg_latency_ms"]) * 1000,
    }}, " ".join(argv[:-4] + ["evalsha", f"<{name}>", "1",
                              "ctr:__rand_int__"])


# Stream benchmarks (issue 23): name -> (command, -r). The XADD tests fill
# 1000 streams (bstream:%012d) that XRANGE then reads. redis-benchmark
# sends one command per request, so a consumer group's read and its ack
# are two tests on "bq", preloaded with one entry per request (IDs N-1 for
# N below REQUESTS) and a group "g" at 0: XREADGROUP hands out one entry per
# call, and XACK acks a random ID N-1 (pending the first time it is drawn).
STREAM_TESTS = {
    "xadd": (["XADD", "bstream:__rand_int__", "*", "f", "v" * 100], 1000),
    "xadd_maxlen": (["XADD", "bstream:__rand_int__", "MAXLEN", "~", "1000",
                     "*", "f", "v" * 100], 1000),
    "xrange_10": (["XRANGE", "bstream:__rand_int__", "-", "+", "COUNT",
                   "10"], 1000),
    "xreadgroup_1": (["XREADGROUP", "GROUP", "g", "c__rand_int__", "COUNT",
                      "1", "STREAMS", "bq", ">"], 50),
    "xack_1": (["XACK", "bq", "g", "__rand_int__-1"], None),
}


def preload_stream_queue(port, entries):
    """XADDs bq N-1 f v for N below entries, then creates group g at 0."""
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.settimeout(60)
        f = s.makefile("rb")
        s.sendall(resp(b"DEL", b"bq"))
        f.readline()
        for start in range(0, entries, 1000):
            end = min(entries, start + 1000)
            s.sendall(b"".join(resp(b"XADD", b"bq", b"%d-1" % i, b"f",
                                    b"v" * 100) for i in range(start, end)))
            for _ in range(start, end):
                line = f.readline()
                if not line.startswith(b"$"):
                    raise RuntimeError(f"stream preload on {port}: {line!r}")
                f.readline()
        s.sendall(resp(b"XGROUP", b"CREATE", b"bq", b"g", b"0"))
        line = f.readline()
        if not line.startswith(b"+OK"):
            raise RuntimeError(f"XGROUP CREATE on {port}: {line!r}")


def command_benchmark(port, name, argv_tail, requests, keys, pipeline,
                      timeout):
    argv = ["redis-benchmark", "-h", "127.0.0.1", "-p", str(port),
            "-n", str(requests), "-r", str(keys), "-c", "50",
            "-P", str(pipeline), "--csv"] + argv_tail
    out = subprocess.run(argv, capture_output=True, text=True,
                         timeout=timeout, check=True).stdout
    row = next(csv.DictReader(io.StringIO(out)))
    shown = " ".join(a if len(a) < 20 else f"<{len(a)} bytes>" for a in argv)
    return {name: {
        "ops_per_sec": float(row["rps"]),
        "p50_us": float(row["p50_latency_ms"]) * 1000,
        "p99_us": float(row["p99_latency_ms"]) * 1000,
        "avg_us": float(row["avg_latency_ms"]) * 1000,
    }}, shown


def memcaslap(port, seconds, timeout):
    # A task window of 1k objects per connection (memcaslap's default is
    # 10k). memcaslap only reads objects it has stored; a run with no gets
    # means its sets failed (shale's memcached front end refused the 8
    # binary bytes memcaslap starts each key with, until that was fixed).
    argv = ["memcaslap", "-s", f"127.0.0.1:{port}", "-T", "2", "-c", "32",
            "-w", "1k", "-t", f"{seconds}s", "-X", "100"]
    out = subprocess.run(argv, capture_output=True, text=True,
                         timeout=timeout).stdout
    m = re.search(r"Run time: *([\d.]+)s Ops: *(\d+) TPS: *(\d+)", out)
    if not m:
        raise RuntimeError("memcaslap output not understood:\n" + out[-2000:])
    res = {"ops_per_sec": float(m.group(3))}
    # memcaslap preloads the keys it reads; a miss means a lost value.
    for name in ("cmd_get", "cmd_set", "get_misses"):
        cm = re.search(name + r": *(\d+)", out)
        if cm:
            res[name] = int(cm.group(1))
    ops = res.get("cmd_get", 0) + res.get("cmd_set", 0)
    # Valid only if the run reached its 1 set : 9 gets mix.
    res["mix_ok"] = ops > 0 and res.get("cmd_get", 0) / ops >= 0.8
    return res, " ".join(argv)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("shale_server")
    ap.add_argument("--json")
    ap.add_argument("--requests", type=int, default=500000)
    ap.add_argument("--keys", type=int, default=1000000)
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--quick", action="store_true",
                    help="small sizes, for a check that it all runs")
    ap.add_argument("--only", default="strings,collections,scripts,streams,"
                    "memcache", help="comma-separated groups of tests to run")
    args = ap.parse_args()
    only = set(args.only.split(","))
    if args.quick:
        args.requests, args.keys, args.seconds = 20000, 20000, 3

    missing = [t for t in ("redis-server", "redis-benchmark", "memcached",
                           "memcaslap") if not shutil.which(t)]
    if missing:
        print("bench-server: missing " + ", ".join(missing) +
              " (apt-get install redis-server redis-tools memcached "
              "libmemcached-tools); skipping those comparisons")

    work = tempfile.mkdtemp(prefix="shale-server-bench.")
    servers, results = [], []
    try:
        sp, smc = free_port(), free_port()
        shale = Server("shale", [args.shale_server, "--dir", f"{work}/shale",
                                 "--port", str(sp), "--memcache-port", str(smc),
                                 "--http-port", "0", "--fsync", "everysec",
                                 "--log-level", "warn"], [sp, smc],
                       f"{work}/shale.log")
        servers.append(shale)
        redis = mc = None
        if shutil.which("redis-server") and shutil.which("redis-benchmark"):
            rp = free_port()
            os.makedirs(f"{work}/redis")
            redis = Server("redis", ["redis-server", "--port", str(rp),
                                     "--bind", "127.0.0.1", "--dir", f"{work}/redis",
                                     "--appendonly", "yes",
                                     "--appendfsync", "everysec", "--save", "",
                                     "--daemonize", "no"], [rp],
                           f"{work}/redis.log")
            servers.append(redis)
        if shutil.which("memcached") and shutil.which("memcaslap"):
            mp = free_port()
            mc = Server("memcached", ["memcached", "-l", "127.0.0.1", "-p",
                                      str(mp), "-U", "0", "-m", "2048", "-t",
                                      "2", "-u", "nobody"], [mp],
                        f"{work}/memcached.log")
            servers.append(mc)

        timeout = max(300, args.requests / 500)
        if redis:
            for name, port in (("shale", sp), ("redis", redis.ports[0])):
                t = time.time()
                preload(port, args.keys, 100)
                print(f"preloaded {args.keys} keys into {name} in "
                      f"{time.time() - t:.1f} s")
            groups = ((("set,get",) if "strings" in only else ()) +
                      (COLLECTION_TESTS if "collections" in only else ()))
            for tests in groups:
                for pipeline in (1, 16):
                    for name, port in (("shale", sp),
                                       ("redis", redis.ports[0])):
                        n = (min(args.requests, SPOP_REQUESTS)
                             if tests == "spop" else args.requests)
                        res, cmd = redis_benchmark(port, n, args.keys,
                                                   pipeline, timeout, tests)
                        print(f"  {cmd}")
                        for test, r in sorted(res.items()):
                            results.append(dict(
                                server=name, client="redis-benchmark",
                                benchmark=f"{test} -P {pipeline}",
                                command=cmd, **r))
            for script in SCRIPTS if "scripts" in only else ():
                for pipeline in (1, 16):
                    for name, port in (("shale", sp),
                                       ("redis", redis.ports[0])):
                        res, cmd = evalsha_benchmark(port, script,
                                                     args.requests, args.keys,
                                                     pipeline, timeout)
                        print(f"  {cmd}")
                        for test, r in res.items():
                            results.append(dict(
                                server=name, client="redis-benchmark",
                                benchmark=f"{test} -P {pipeline}",
                                command=cmd, **r))
            for pipeline in (1, 16) if "streams" in only else ():
                for name, port in (("shale", sp), ("redis", redis.ports[0])):
                    preload_stream_queue(port, args.requests)
                    for test, (tail, r) in STREAM_TESTS.items():
                        res, cmd = command_benchmark(
                            port, test, tail, args.requests,
                            r or args.requests, pipeline, timeout)
                        print(f"  {cmd}")
                        for t, row in res.items():
                            results.append(dict(
                                server=name, client="redis-benchmark",
                                benchmark=f"{t} -P {pipeline}",
                                command=cmd, **row))
        if mc and "memcache" in only:
            for name, port in (("shale", smc), ("memcached", mc.ports[0])):
                res, cmd = memcaslap(port, args.seconds, args.seconds + 120)
                print(f"  {cmd}")
                results.append(dict(server=name, client="memcaslap",
                                    benchmark="memcaslap 1set:9get", command=cmd,
                                    **res))
    finally:
        for s in reversed(servers):
            s.stop()
        shutil.rmtree(work, ignore_errors=True)

    print()
    print(f"{'benchmark':<22} {'server':<10} {'ops/s':>10} {'p50us':>8} "
          f"{'p99us':>8} {'shale/x':>8}")
    shown = []
    for r in results:
        if r["benchmark"] not in shown:
            shown.append(r["benchmark"])
    for b in shown:
        rows = [r for r in results if r["benchmark"] == b]
        s = next((r for r in rows if r["server"] == "shale"), None)
        for r in rows:
            ratio = "-"
            if s and r is not s and r["ops_per_sec"]:
                ratio = f"{s['ops_per_sec'] / r['ops_per_sec']:.2f}x"
                r["shale_ratio"] = s["ops_per_sec"] / r["ops_per_sec"]
            p50 = f"{r['p50_us']:.0f}" if "p50_us" in r else "-"
            p99 = f"{r['p99_us']:.0f}" if "p99_us" in r else "-"
            print(f"{b if r is rows[0] else '':<22} {r['server']:<10} "
                  f"{r['ops_per_sec']:>10.0f} {p50:>8} {p99:>8} {ratio:>8}")
    for r in results:
        if "get_misses" in r:
            print(f"memcaslap on {r['server']}: {r.get('cmd_get', 0)} gets, "
                  f"{r.get('cmd_set', 0)} sets, {r['get_misses']} get misses"
                  + ("" if r.get("mix_ok") else
                     "  !! NOT the 1:9 mix (still warming up): not comparable"))
    print("\nredis-benchmark: 50 clients, 100-byte values, keys over "
          f"{args.keys}, {args.requests} requests per test; memcaslap: "
          f"{args.seconds} s, 2 threads x 32 connections. Client and server "
          "share the machine.")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
            f.write("\n")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
