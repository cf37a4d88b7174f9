#!/usr/bin/python3
"""One big list on a fresh shale-server: builds it with pipelined RPUSH
(100-byte elements), then times the reads and edits whose cost depends on
where they land, printing the server's peak RSS (VmHWM) after each.

    scripts/big_list.py build/shale-server 10000000

docs/protocols.md (the list rows) and docs/bench.md quote its figures.
Needs python3-redis. Not a test: it asserts nothing but the replies' shape.
"""
import os
import shutil
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


def main():
    server, n = sys.argv[1], int(sys.argv[2])
    d = tempfile.mkdtemp(prefix="big-list-")
    port = free_port()
    p = subprocess.Popen([server, "--dir", d, "--port", str(port),
                          "--memcache-port", "0", "--http-port", "0"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        r = redis.Redis(port=port, socket_timeout=600)
        deadline = time.monotonic() + 30
        while True:
            try:
                r.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

        def peak():
            with open("/proc/%d/status" % p.pid) as f:
                for line in f:
                    if line.startswith("VmHWM"):
                        return int(line.split()[1]) // 1024

        def timed(label, fn):
            start = time.monotonic()
            out = fn()
            print("%-34s %9.3f s   peak RSS %5d MiB" %
                  (label, time.monotonic() - start, peak()), flush=True)
            return out

        val = b"v" * 100

        def build():
            pipe = r.pipeline(transaction=False)
            for i in range(n):
                pipe.rpush("L", val + b"%d" % i)
                if i % 10000 == 9999:
                    pipe.execute()
            pipe.execute()

        mid = n // 2
        timed("RPUSH x%d, pipelined" % n, build)
        assert timed("LLEN", lambda: r.llen("L")) == n
        timed("LRANGE 0 99", lambda: r.lrange("L", 0, 99))
        timed("LRANGE -100 -1", lambda: r.lrange("L", -100, -1))
        timed("LRANGE of 100 in the middle",
              lambda: r.lrange("L", mid, mid + 99))
        timed("LINDEX of the middle", lambda: r.lindex("L", mid))
        timed("LSET of the middle", lambda: r.lset("L", mid, b"x"))
        timed("LPOP with count 1000", lambda: r.lpop("L", 1000))
        timed("RPOP x1000", lambda: [r.rpop("L") for _ in range(1000)])
        timed("LINSERT in the middle", lambda: r.linsert(
            "L", "BEFORE", val + b"%d" % (mid + 1), b"ins"))
        # RPOP took the last element: LPOS reads the whole list.
        timed("LPOS of an absent element",
              lambda: r.lpos("L", val + b"%d" % (n - 1)))
        timed("LREM 1 (the middle one)", lambda: r.lrem("L", 1, b"ins"))
        timed("DEL", lambda: r.delete("L"))
    finally:
        p.terminate()
        p.wait(60)
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
