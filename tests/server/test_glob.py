"""Glob patterns (server/util/glob.h) against redis-server 7.0 itself: the
same keys in both, the same random patterns to KEYS, the same answers; and
pathological patterns answered in milliseconds."""
import random
import time

from real_redis import real_redis  # noqa: F401 (fixture)
from resp_raw import RawConn

ALPHABET = [b"a", b"b", b"A", b"*", b"?", b"[", b"]", b"^", b"-", b"\\",
            b"\xe9", b"\x80"]


def random_bytes(rng, n):
    return b"".join(rng.choice(ALPHABET) for _ in range(n))


def keys_of(conn, pattern):
    reply = conn.call("KEYS", pattern)
    return sorted(reply.split(b"\r\n"))


def test_keys_patterns_match_redis(server, real_redis):  # noqa: F811
    seed = random.randrange(1 << 30)
    print("seed", seed)
    rng = random.Random(seed)
    ours, theirs = RawConn(server.port), RawConn(real_redis.port)
    ours.call("FLUSHALL")
    theirs.call("FLUSHALL")
    keys = {random_bytes(rng, rng.randrange(1, 7)) for _ in range(300)}
    for k in keys:
        assert ours.call("SET", k, "1") == theirs.call("SET", k, "1")
    for _ in range(1500):
        p = random_bytes(rng, rng.randrange(0, 8))
        assert keys_of(ours, p) == keys_of(theirs, p), (seed, p)
    ours.call("FLUSHALL")


def test_pathological_keys_pattern_is_fast(server):
    c = RawConn(server.port, timeout=60)
    c.call("FLUSHALL")
    c.call("SET", "a" * 65536, "v")
    start = time.monotonic()
    reply = c.call("KEYS", "*" + "[a-b]" * 16000 + "c")
    assert reply == b"*0\r\n"
    # The backtracking matcher took seconds for this (issue 25, row 7).
    assert time.monotonic() - start < 1.0
    c.call("FLUSHALL")
