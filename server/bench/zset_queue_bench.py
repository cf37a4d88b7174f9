#!/usr/bin/env python3
"""A sorted set used as a queue whose members share one score: loads
100,000 members of score 0 with a pipeline, then times 20,000 ZPOPMIN and
2,000 `ZRANGE q 0 0`, one at a time, for each shale-server binary given
(so several builds compare in one run).

    server/bench/zset_queue_bench.py build/shale-server [other/shale-server]
"""
import socket
import subprocess
import sys
import tempfile
import time

import redis


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run(binary):
    port = free_port()
    with tempfile.TemporaryDirectory() as d:
        proc = subprocess.Popen([binary, "--dir", d, "--port", str(port),
                                 "--memcache-port", "0", "--http-port", "0",
                                 "--log-level", "warn"])
        try:
            r = redis.Redis(port=port)
            deadline = time.monotonic() + 10
            while True:
                try:
                    r.ping()
                    break
                except redis.exceptions.ConnectionError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
            pipe = r.pipeline(transaction=False)
            for i in range(100000):
                pipe.zadd("q", {"member:%08d" % i: 0})
            pipe.execute()
            t = time.monotonic()
            for _ in range(20000):
                r.zpopmin("q")
            pops = time.monotonic() - t
            t = time.monotonic()
            for _ in range(2000):
                r.zrange("q", 0, 0)
            ranges = time.monotonic() - t
            print("%s: 20000 ZPOPMIN %.2f s, 2000 ZRANGE q 0 0 %.2f s" %
                  (binary, pops, ranges))
        finally:
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    for b in sys.argv[1:]:
        run(b)
