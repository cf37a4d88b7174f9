"""Sorted-set commands (ZADD ... ZSCAN) and the commands of other types on
a key holding a sorted set, byte for byte against redis-server 7.0
(real_redis.py), in RESP2 and RESP3: scores as Redis 7.0 prints them
(%.17g), its errors in its order, keyspace events, OBJECT ENCODING.

Replies in random order (ZRANDMEMBER of a whole set, on both servers)
compare as multisets of lines; everything else exactly.
"""
import random

import pytest

from real_redis import compare_script, fresh_raw, real_redis  # noqa: F401
from test_keyspace_events import run_sequence

SCRIPT = [
    # ZADD and its options.
    ("ZADD", "z", "1", "a", "2", "b", "3", "c"),
    ("ZADD", "z", "1.5", "a", "2", "b"),
    ("ZADD", "z", "CH", "1.5", "a", "9", "b", "4", "d"),
    ("ZADD", "z", "NX", "0", "a", "5", "e"),
    ("ZADD", "z", "XX", "0", "a", "5", "f"),
    ("ZADD", "z", "XX", "CH", "0", "a"),
    ("ZADD", "z", "GT", "CH", "-1", "a", "10", "c"),
    ("ZADD", "z", "LT", "CH", "-1", "a", "100", "c"),
    ("ZADD", "z", "XX", "GT", "CH", "50", "c", "50", "nope"),
    ("ZADD", "z", "NX", "XX", "1", "a"),
    ("ZADD", "z", "NX", "GT", "1", "a"),
    ("ZADD", "z", "GT", "LT", "1", "a"),
    ("ZADD", "z", "INCR", "1", "a", "2", "b"),
    ("ZADD", "z", "1", "a", "2"),
    ("ZADD", "z", "NX"),
    ("ZADD", "z", "x", "a"),
    ("ZADD", "z", "nan", "a"),
    ("ZADD", "z", "1", "a", "nan", "b"),
    ("ZADD", "z", " 1", "a"),
    ("ZADD", "z", "1e400", "a"),
    ("ZADD", "z", "FOO", "1", "a"),
    ("ZADD", "z", "INCR", "2.5", "a"),
    ("ZADD", "z", "INCR", "NX", "2.5", "a"),
    ("ZADD", "z", "INCR", "XX", "2.5", "zz"),
    ("ZADD", "z", "INCR", "GT", "-1", "a"),
    ("ZADD", "z", "INCR", "0", "a"),
    ("ZADD", "nokey", "XX", "1", "a"),
    ("ZADD", "nokey", "XX", "INCR", "1", "a"),
    ("EXISTS", "nokey"),
    ("ZADD", "f", "0.1", "a", "1.1", "b", "-0", "c", "inf", "d", "-inf", "e",
     "+inf", "f", "1e300", "g", "0x10", "h", "3.0", "i", "1e-320", "j"),
    ("ZRANGE", "f", "0", "-1", "WITHSCORES"),
    ("ZSCORE", "f", "c"),
    ("ZINCRBY", "f", "1", "c"),
    ("ZINCRBY", "f", "-inf", "d"),
    ("ZINCRBY", "f", "1", "nope"),
    ("ZINCRBY", "f", "x", "a"),
    ("ZINCRBY", "f", "1", "a", "b"),
    ("ZADD", "f", "INCR", "-inf", "d"),
    ("ZSCORE", "f", "d"),
    # Reads.
    ("ZCARD", "z"), ("ZCARD", "nokey"),
    ("ZSCORE", "z", "a"), ("ZSCORE", "z", "nope"), ("ZSCORE", "nokey", "a"),
    ("ZMSCORE", "z", "a", "nope", "c"), ("ZMSCORE", "nokey", "a", "b"),
    ("ZMSCORE", "z"),
    ("ZRANK", "z", "a"), ("ZRANK", "z", "c"), ("ZRANK", "z", "nope"),
    ("ZRANK", "nokey", "a"), ("ZREVRANK", "z", "a"), ("ZREVRANK", "z", "c"),
    ("ZREVRANK", "z", "nope"),
    ("ZRANGE", "z", "0", "-1", "WITHSCORES"),
    ("ZCOUNT", "z", "-inf", "+inf"), ("ZCOUNT", "z", "(1", "4"),
    ("ZCOUNT", "z", "(1.5", "(4"), ("ZCOUNT", "z", "4", "1"),
    ("ZCOUNT", "z", "1", "x"), ("ZCOUNT", "z", "(", "5"),
    ("ZCOUNT", "z", "", "5"), ("ZCOUNT", "z", "nan", "5"),
    ("ZCOUNT", "nokey", "0", "1"), ("ZCOUNT", "nokey", "x", "1"),
    # Ranges by rank.
    ("ZRANGE", "z", "0", "1"), ("ZRANGE", "z", "-2", "-1"),
    ("ZRANGE", "z", "1", "100"), ("ZRANGE", "z", "5", "1"),
    ("ZRANGE", "z", "-100", "0"), ("ZRANGE", "z", "0", "-100"),
    ("ZRANGE", "z", "0", "-1", "REV"), ("ZRANGE", "z", "1", "2", "REV",
                                         "WITHSCORES"),
    ("ZREVRANGE", "z", "0", "1", "WITHSCORES"), ("ZREVRANGE", "z", "0", "-1"),
    ("ZREVRANGE", "z", "0", "1", "REV"),
    ("ZRANGE", "z", "0", "1", "LIMIT", "0", "1"),
    ("ZRANGE", "z", "0", "1", "LIMIT", "0", "-1"),
    ("ZRANGE", "z", "a", "1"), ("ZRANGE", "z", "0", "1", "FOO"),
    ("ZRANGE", "z", "0", "1", "LIMIT", "0"),
    ("ZRANGE", "nokey", "0", "-1"), ("ZRANGE", "nokey", "0", "x"),
    # Ranges by score.
    ("ZRANGEBYSCORE", "z", "-inf", "+inf", "WITHSCORES"),
    ("ZRANGEBYSCORE", "z", "(1", "4"), ("ZRANGEBYSCORE", "z", "1.5", "(4"),
    ("ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "1", "2"),
    ("ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "-1", "2"),
    ("ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "1", "-1"),
    ("ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "1", "0"),
    ("ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "10", "1"),
    ("ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "x", "1"),
    ("ZRANGEBYSCORE", "z", "x", "1"),
    ("ZRANGEBYSCORE", "z", "1", "1"), ("ZRANGEBYSCORE", "z", "(1", "(1"),
    ("ZREVRANGEBYSCORE", "z", "+inf", "-inf", "WITHSCORES"),
    ("ZREVRANGEBYSCORE", "z", "(4", "1"),
    ("ZREVRANGEBYSCORE", "z", "4", "(1.5", "LIMIT", "1", "1"),
    ("ZREVRANGEBYSCORE", "z", "1", "4"),
    ("ZRANGE", "z", "(1", "+inf", "BYSCORE", "LIMIT", "0", "2", "WITHSCORES"),
    ("ZRANGE", "z", "+inf", "(1", "BYSCORE", "REV"),
    ("ZRANGE", "z", "0", "1", "BYSCORE", "BYLEX"),
    ("ZRANGE", "z", "0", "1", "REV", "REV"),
    ("ZRANGEBYSCORE", "z", "0", "1", "BYSCORE"),
    # Lex ranges (one score).
    ("ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e", "0", ""),
    ("ZRANGEBYLEX", "l", "-", "+"), ("ZRANGEBYLEX", "l", "[b", "(d"),
    ("ZRANGEBYLEX", "l", "(b", "[d"), ("ZRANGEBYLEX", "l", "[", "[b"),
    ("ZRANGEBYLEX", "l", "(", "+"),
    ("ZRANGEBYLEX", "l", "-", "+", "LIMIT", "2", "2"),
    ("ZRANGEBYLEX", "l", "+", "-"), ("ZRANGEBYLEX", "l", "-", "-"),
    ("ZRANGEBYLEX", "l", "a", "+"), ("ZRANGEBYLEX", "l", "", "+"),
    ("ZRANGEBYLEX", "l", "+x", "+"),
    ("ZRANGEBYLEX", "l", "-", "+", "WITHSCORES"),
    ("ZREVRANGEBYLEX", "l", "+", "-"), ("ZREVRANGEBYLEX", "l", "(d", "[b"),
    ("ZREVRANGEBYLEX", "l", "[d", "-", "LIMIT", "1", "2"),
    ("ZREVRANGEBYLEX", "l", "-", "+"),
    ("ZRANGE", "l", "[b", "[d", "BYLEX"), ("ZRANGE", "l", "[d", "[b", "BYLEX",
                                            "REV", "LIMIT", "0", "2"),
    ("ZRANGE", "l", "-", "+", "BYLEX", "WITHSCORES"),
    ("ZLEXCOUNT", "l", "-", "+"), ("ZLEXCOUNT", "l", "[b", "(d"),
    ("ZLEXCOUNT", "l", "x", "+"), ("ZLEXCOUNT", "nokey", "-", "+"),
    # Lex ranges over mixed scores: a listpack's walk.
    ("ZRANGEBYLEX", "z", "-", "+"), ("ZRANGEBYLEX", "z", "[b", "+"),
    ("ZREVRANGEBYLEX", "z", "+", "[b"), ("ZLEXCOUNT", "z", "[a", "[c"),
    # ZRANGESTORE.
    ("ZRANGESTORE", "d", "z", "0", "1"), ("ZRANGE", "d", "0", "-1",
                                          "WITHSCORES"),
    ("ZRANGESTORE", "d", "z", "(1", "+inf", "BYSCORE", "LIMIT", "0", "2"),
    ("ZRANGE", "d", "0", "-1", "WITHSCORES"),
    ("ZRANGESTORE", "d", "l", "[b", "[c", "BYLEX"),
    ("ZRANGE", "d", "0", "-1"),
    ("ZRANGESTORE", "d", "z", "0", "1", "WITHSCORES"),
    ("ZRANGESTORE", "d", "nokey", "0", "1"), ("EXISTS", "d"),
    ("ZRANGESTORE", "d", "z", "5", "1"),
    ("SET", "s1", "x"), ("ZRANGESTORE", "s1", "z", "0", "0"),
    ("TYPE", "s1"), ("ZRANGESTORE", "d", "s1", "0", "0"),
    ("ZRANGESTORE", "z2", "z", "0", "-1"), ("ZRANGESTORE", "z2", "z2", "1",
                                            "-1"),
    ("ZRANGE", "z2", "0", "-1", "WITHSCORES"),
    # ZREM and the ZREMRANGEBY* commands.
    ("ZREM", "z2", "a", "nope", "a"), ("ZREM", "z2", "nope"),
    ("ZREM", "nokey", "a"), ("ZREM", "z2"),
    ("ZADD", "r", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"),
    ("ZREMRANGEBYRANK", "r", "1", "2"), ("ZRANGE", "r", "0", "-1"),
    ("ZREMRANGEBYRANK", "r", "5", "9"), ("ZREMRANGEBYRANK", "r", "x", "1"),
    ("ZREMRANGEBYSCORE", "r", "(1", "4"), ("ZRANGE", "r", "0", "-1"),
    ("ZREMRANGEBYSCORE", "r", "x", "4"),
    ("ZREMRANGEBYLEX", "l", "[b", "(d"), ("ZRANGE", "l", "0", "-1"),
    ("ZREMRANGEBYLEX", "l", "x", "+"), ("ZREMRANGEBYLEX", "nokey", "-", "+"),
    ("ZREMRANGEBYRANK", "r", "0", "-1"), ("EXISTS", "r"),
    ("ZREMRANGEBYSCORE", "nokey", "0", "1"),
    # Pops.
    ("ZADD", "p", "1", "a", "2", "b", "3", "c", "4", "d"),
    ("ZPOPMIN", "p"), ("ZPOPMAX", "p"), ("ZPOPMIN", "p", "0"),
    ("ZPOPMIN", "p", "-1"), ("ZPOPMIN", "p", "x"), ("ZPOPMIN", "p", "1", "2"),
    ("ZPOPMAX", "p", "5"), ("EXISTS", "p"), ("ZPOPMIN", "p"),
    ("ZPOPMIN", "nokey", "2"), ("ZPOPMAX", "nokey"),
    ("ZADD", "p", "1", "a", "2", "b", "3", "c"),
    ("ZPOPMIN", "p", "1"),
    ("ZMPOP", "2", "nokey", "p", "MIN"), ("ZMPOP", "2", "nokey", "p", "MAX",
                                          "COUNT", "5"),
    ("ZMPOP", "1", "nokey", "MIN"), ("ZMPOP", "0", "p", "MIN"),
    ("ZMPOP", "x", "p", "MIN"), ("ZMPOP", "3", "p", "MIN"),
    ("ZMPOP", "1", "p", "FOO"), ("ZMPOP", "1", "p", "MIN", "COUNT", "0"),
    ("ZMPOP", "1", "p", "MIN", "COUNT"), ("ZMPOP", "1", "p", "MIN", "FOO"),
    ("ZMPOP", "1", "p", "MIN", "COUNT", "1", "COUNT", "1"),
    # Random picks that are deterministic: one member, or none.
    ("ZADD", "one", "7", "x"),
    ("ZRANDMEMBER", "one"), ("ZRANDMEMBER", "one", "1"),
    ("ZRANDMEMBER", "one", "3", "WITHSCORES"),
    ("ZRANDMEMBER", "one", "-3", "WITHSCORES"),
    ("ZRANDMEMBER", "one", "0"), ("ZRANDMEMBER", "one", "x"),
    ("ZRANDMEMBER", "one", "1", "FOO"), ("ZRANDMEMBER", "one", "1", "a", "b"),
    ("ZRANDMEMBER", "one", "-9223372036854775808"),
    ("ZRANDMEMBER", "one", "9223372036854775807", "WITHSCORES"),
    ("ZRANDMEMBER", "z", "10", "WITHSCORES"),
    ("ZRANDMEMBER", "nokey"), ("ZRANDMEMBER", "nokey", "5"),
    ("ZRANDMEMBER", "nokey", "-5", "WITHSCORES"),
    # Algebra.
    ("ZADD", "x", "1", "a", "2", "b", "3", "c"),
    ("ZADD", "y", "10", "b", "20", "c", "30", "d"),
    ("SADD", "s", "c", "d", "e"),
    ("ZUNION", "2", "x", "y"), ("ZUNION", "2", "x", "y", "WITHSCORES"),
    ("ZUNION", "3", "x", "y", "s", "WITHSCORES"),
    ("ZUNION", "2", "x", "y", "WEIGHTS", "2", "0.5", "WITHSCORES"),
    ("ZUNION", "2", "x", "y", "AGGREGATE", "MIN", "WITHSCORES"),
    ("ZUNION", "2", "x", "y", "AGGREGATE", "max", "WITHSCORES"),
    ("ZUNION", "2", "x", "y", "WEIGHTS", "inf", "-inf", "WITHSCORES"),
    ("ZUNION", "2", "x", "y", "WEIGHTS", "1"),
    ("ZUNION", "2", "x", "y", "WEIGHTS", "1", "x"),
    ("ZUNION", "2", "x", "y", "AGGREGATE", "avg"),
    ("ZUNION", "2", "x", "y", "AGGREGATE"),
    ("ZUNION", "0", "x"), ("ZUNION", "-1", "x"), ("ZUNION", "x", "x"),
    ("ZUNION", "3", "x", "y"), ("ZUNION", "1", "nokey"),
    ("ZINTER", "2", "x", "y", "WITHSCORES"),
    ("ZINTER", "3", "x", "y", "s", "WITHSCORES"),
    ("ZINTER", "2", "x", "x", "WITHSCORES"),
    ("ZINTER", "2", "x", "nokey"),
    ("ZINTER", "2", "x", "y", "WEIGHTS", "0", "inf", "WITHSCORES"),
    ("ZINTERCARD", "2", "x", "y"), ("ZINTERCARD", "2", "x", "y", "LIMIT", "1"),
    ("ZINTERCARD", "2", "x", "y", "LIMIT", "0"),
    ("ZINTERCARD", "2", "x", "y", "LIMIT", "-1"),
    ("ZINTERCARD", "2", "x", "y", "LIMIT", "x"),
    ("ZINTERCARD", "2", "x", "y", "WITHSCORES"),
    ("ZINTERCARD", "0", "x"), ("ZINTERCARD", "3", "x", "y"),
    ("ZDIFF", "2", "x", "y"), ("ZDIFF", "2", "x", "y", "WITHSCORES"),
    ("ZDIFF", "2", "y", "s", "WITHSCORES"), ("ZDIFF", "1", "nokey"),
    ("ZDIFF", "2", "x", "y", "WEIGHTS", "1", "2"),
    ("ZUNIONSTORE", "u", "2", "x", "y"), ("ZRANGE", "u", "0", "-1",
                                          "WITHSCORES"),
    ("ZINTERSTORE", "u", "2", "x", "y", "AGGREGATE", "MAX"),
    ("ZRANGE", "u", "0", "-1", "WITHSCORES"),
    ("ZDIFFSTORE", "u", "2", "x", "y"), ("ZRANGE", "u", "0", "-1",
                                         "WITHSCORES"),
    ("ZINTERSTORE", "u", "2", "x", "nokey"), ("EXISTS", "u"),
    ("ZUNIONSTORE", "u", "2", "x", "y", "WITHSCORES"),
    ("ZUNIONSTORE", "x", "2", "x", "y"), ("ZRANGE", "x", "0", "-1",
                                          "WITHSCORES"),
    ("ZUNIONSTORE", "s", "1", "s"), ("TYPE", "s"),
    ("ZRANGE", "s", "0", "-1", "WITHSCORES"),
    # ZSCAN.
    ("ZSCAN", "f", "0"), ("ZSCAN", "f", "0", "MATCH", "[a-c]"),
    ("ZSCAN", "f", "0", "COUNT", "0"), ("ZSCAN", "f", "x"),
    ("ZSCAN", "nokey", "0"),
    # Sorted-set commands on a string, a set and a hash.
    ("SET", "str", "v"), ("SADD", "set", "a"), ("HSET", "h", "f", "v"),
    ("ZADD", "str", "1", "a"), ("ZINCRBY", "set", "1", "a"),
    ("ZREM", "h", "a"), ("ZCARD", "str"), ("ZSCORE", "set", "a"),
    ("ZMSCORE", "h", "a"), ("ZRANK", "str", "a"), ("ZCOUNT", "set", "0", "1"),
    ("ZCOUNT", "set", "x", "1"), ("ZLEXCOUNT", "h", "-", "+"),
    ("ZRANGE", "str", "0", "-1"), ("ZRANGE", "str", "x", "-1"),
    ("ZRANGEBYSCORE", "set", "0", "1"), ("ZRANGEBYLEX", "h", "-", "+"),
    ("ZRANGESTORE", "d", "str", "0", "1"), ("ZREMRANGEBYRANK", "set", "0", "1"),
    ("ZPOPMIN", "h"), ("ZPOPMIN", "h", "x"), ("ZMPOP", "2", "nokey", "str",
                                              "MIN"),
    ("ZRANDMEMBER", "str"), ("ZRANDMEMBER", "str", "2"), ("ZSCAN", "h", "0"),
    ("ZUNION", "2", "x", "str"), ("ZINTER", "2", "nokey", "h"),
    ("ZUNION", "2", "x", "str", "FOO"), ("ZDIFF", "2", "nokey", "str"),
    ("ZINTERCARD", "2", "h", "x"), ("ZUNIONSTORE", "d", "2", "x", "h"),
    # Other types' commands on a sorted set; keyspace commands.
    ("SADD", "z", "a"), ("HGET", "z", "f"), ("GET", "z"), ("SMEMBERS", "z"),
    ("TYPE", "z"), ("EXPIRE", "z", "100"), ("ZADD", "z", "1", "q"),
    ("TTL", "z"), ("RENAME", "z", "zr"), ("ZRANGE", "zr", "0", "-1",
                                          "WITHSCORES"),
    ("COPY", "zr", "zc"), ("ZRANGE", "zc", "0", "-1", "WITHSCORES"),
    ("MOVE", "zc", "1"), ("SELECT", "1"), ("ZCARD", "zc"), ("SELECT", "0"),
    ("SCAN", "0", "TYPE", "zset", "COUNT", "100"),
    ("SET", "zr", "now a string"), ("TYPE", "zr"),
]

UNORDERED = {("SCAN", "0", "TYPE", "zset", "COUNT", "100"),
             ("ZRANDMEMBER", "z", "10", "WITHSCORES")}


def connect(server, real_redis, proto):  # noqa: F811
    return fresh_raw(server.port, proto), fresh_raw(real_redis.port, proto)


@pytest.mark.parametrize("proto", [2, 3])
def test_zset_commands_match_redis(server, real_redis, proto):  # noqa: F811
    ours, theirs = connect(server, real_redis, proto)
    bad = compare_script(ours, theirs, SCRIPT, UNORDERED)
    assert not bad, "\n".join("%r: shale %r, redis %r" % x for x in bad)


@pytest.mark.parametrize("proto", [2, 3])
def test_zset_commands_in_multi_match_redis(server, real_redis,  # noqa: F811
                                            proto):
    """Inside MULTI each command reads the earlier ones' pending writes
    (both entries of each member), *STORE destinations included."""
    script = [("MULTI",)] + [s for s in SCRIPT
                             if s[0] not in ("SELECT", "MOVE", "SCAN") and
                             s not in UNORDERED] + [("EXEC",)]
    ours, theirs = connect(server, real_redis, proto)
    bad = compare_script(ours, theirs, script)
    assert not bad, "\n".join("%r: shale %r, redis %r" % x for x in bad)


def lines(reply):
    return sorted(reply.split(b"\r\n"))


def test_random_zset_ops_match_redis(server, real_redis):  # noqa: F811
    """Random writes and reads on a few keys (ties, -0, inf, repeated
    members), compared exactly; ZRANDMEMBER of a whole set as lines."""
    seed = random.randrange(1 << 30)
    print("seed", seed)
    rng = random.Random(seed)
    ours, theirs = connect(server, real_redis, rng.choice([2, 3]))
    keys = ["k1", "k2", "k3"]
    members = ["m%d" % i for i in range(12)] + ["", "a", "b"]
    scores = ["0", "-0", "1", "1.5", "-2", "inf", "-inf", "3", "(1", "0.1"]

    def score():
        return rng.choice(scores[:8] + scores[9:])

    def bound():
        return rng.choice(scores + ["-inf", "+inf", "(3", "(-2"])

    def lex():
        return rng.choice(["-", "+", "[m1", "(m1", "[m5", "(m9", "[", "(a"])

    for i in range(1500):
        k, m = rng.choice(keys), rng.choice(members)
        op = rng.randrange(20)
        if op <= 3:
            opts = rng.sample(["NX", "XX", "GT", "LT", "CH"],
                              rng.randrange(3))
            step = ("ZADD", k) + tuple(opts) + (score(), m, score(),
                                                rng.choice(members))
        elif op == 4:
            step = ("ZINCRBY", k, score(), m)
        elif op == 5:
            step = ("ZREM", k, m, rng.choice(members))
        elif op == 6:
            step = (rng.choice(["ZSCORE", "ZRANK", "ZREVRANK"]), k, m)
        elif op == 7:
            step = ("ZRANGE", k, str(rng.randint(-6, 6)),
                    str(rng.randint(-6, 6))) + tuple(
                rng.sample(["REV", "WITHSCORES"], rng.randrange(3)))
        elif op == 8:
            cmd = rng.choice(["ZRANGEBYSCORE", "ZREVRANGEBYSCORE"])
            step = (cmd, k, bound(), bound(), "WITHSCORES")
            if rng.randrange(2):
                step += ("LIMIT", str(rng.randint(-1, 3)),
                         str(rng.randint(-1, 3)))
        elif op == 9:
            step = ("ZCOUNT", k, bound(), bound())
        elif op == 10:
            step = (rng.choice(["ZUNION", "ZINTER", "ZDIFF"]), "2") + tuple(
                rng.sample(keys, 2)) + ("WITHSCORES",)
        elif op == 11:
            step = (rng.choice(["ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"]),
                    k, "2") + tuple(rng.sample(keys, 2))
        elif op == 12:
            step = (rng.choice(["ZPOPMIN", "ZPOPMAX"]), k,
                    str(rng.randint(0, 3)))
        elif op == 13:
            step = ("ZREMRANGEBYSCORE", k, bound(), bound())
        elif op == 14:
            step = ("ZREMRANGEBYRANK", k, str(rng.randint(-4, 4)),
                    str(rng.randint(-4, 4)))
        elif op == 15:
            step = ("ZRANGESTORE", k, rng.choice(keys), "0", "-1")
        elif op == 16:
            step = ("ZADD", k, "0", m) if rng.randrange(2) else (
                "ZRANGEBYLEX", k, lex(), lex())
        elif op == 17:
            step = ("ZLEXCOUNT", k, lex(), lex())
        elif op == 18:
            step = ("ZRANDMEMBER", k, "100", "WITHSCORES")
        else:
            step = ("DEL", k) if rng.randrange(6) == 0 else ("ZCARD", k)
        a, b = ours.call(*step), theirs.call(*step)
        if step[0] == "ZRANDMEMBER":
            a, b = lines(a), lines(b)
        assert a == b, (seed, i, step, a, b)


def test_big_zset_ranges_walk_from_the_nearer_end(r):
    """Ranks near either end of a big set, score ranges and ZRANK, checked
    against a model (the index walked both ways on engine entries)."""
    n = 3000
    members = {"m%05d" % i: (i * 7919) % 1000 / 10 for i in range(n)}
    pipe = r.pipeline(transaction=False)
    items = list(members.items())
    for i in range(0, n, 500):
        pipe.zadd("big", dict(items[i:i + 500]))
    pipe.execute()
    model = sorted(members.items(), key=lambda kv: (kv[1], kv[0]))
    names = [m.encode() for m, _ in model]
    assert r.zrange("big", 0, 4) == names[:5]
    assert r.zrange("big", -5, -1) == names[-5:]
    assert r.zrange("big", n - 10, n - 6) == names[n - 10:n - 5]
    assert r.zrevrange("big", 0, 2) == names[::-1][:3]
    assert r.zrevrange("big", n - 3, n - 1) == names[::-1][n - 3:]
    assert r.zrank("big", model[2000][0]) == 2000
    assert r.zrank("big", model[10][0]) == 10
    assert r.zrank("big", model[1500][0]) == 1500
    assert r.zrevrank("big", model[-1][0]) == 0
    assert r.zrevrank("big", model[2000][0]) == n - 1 - 2000
    want = [m.encode() for m, s in model if 10 <= s <= 20.5]
    assert r.zrangebyscore("big", 10, 20.5) == want
    assert r.zrevrangebyscore("big", 20.5, 10) == want[::-1]
    assert r.zcount("big", "(10", 20.5) == len(
        [1 for _, s in model if 10 < s <= 20.5])
    assert r.zpopmax("big", 2) == [(m.encode(), s) for m, s in model[::-1][:2]]
    assert r.zremrangebyrank("big", 0, 99) == 100
    assert r.zcard("big") == n - 102
    assert r.zrange("big", 0, 0) == [names[100]]


ZSET_EVENTS = [
    ("ZADD", "z", "1", "a", "2", "b", "3", "c"), ("ZADD", "z", "1", "a"),
    ("ZADD", "z", "5", "a"), ("ZADD", "z", "INCR", "1", "a"),
    ("ZINCRBY", "z", "1", "b"), ("ZADD", "z", "XX", "1", "nope"),
    ("ZREM", "z", "nope"), ("ZREM", "z", "a"),
    ("ZREMRANGEBYRANK", "z", "0", "0"), ("ZREMRANGEBYSCORE", "z", "0", "1"),
    ("ZADD", "l", "0", "a", "0", "b"), ("ZREMRANGEBYLEX", "l", "-", "+"),
    ("ZADD", "z", "1", "a", "2", "b"), ("ZPOPMIN", "z"), ("ZPOPMAX", "z", "5"),
    ("ZPOPMIN", "z"), ("ZADD", "x", "1", "a", "2", "b"),
    ("ZADD", "y", "2", "b", "3", "c"),
    ("ZUNIONSTORE", "d", "2", "x", "y"), ("ZINTERSTORE", "d", "2", "x", "y"),
    ("ZDIFFSTORE", "d", "2", "x", "x"), ("ZDIFFSTORE", "d", "2", "x", "x"),
    ("ZRANGESTORE", "d", "x", "0", "0"), ("ZRANGESTORE", "d", "x", "5", "9"),
    ("ZMPOP", "2", "nokey", "x", "MAX", "COUNT", "9"),
    ("ZSCORE", "nokey", "a"), ("ZRANGE", "nokey", "0", "1"),
    ("ZUNION", "1", "nokey"), ("ZCARD", "nokey"), ("ZPOPMIN", "nokey"),
    ("SET", "str", "v"), ("ZUNIONSTORE", "str", "1", "y"),
    ("EXPIRE", "y", "100"), ("DEL", "y"),
]


@pytest.mark.parametrize("flags", ["KEA", "KEz$gxnm"])
def test_zset_events_match_redis(server, real_redis, flags):  # noqa: F811
    theirs = run_sequence(real_redis.port, flags, ZSET_EVENTS)
    ours = run_sequence(server.port, flags, ZSET_EVENTS)
    assert ours == theirs
    assert len(theirs["events"]) > 40


L64, L65 = "x" * 64, "y" * 65
ENCODINGS = [
    ("ZADD", "z", "1", L64), ("OBJECT", "ENCODING", "z"),
    ("ZADD", "z", "1", L65), ("OBJECT", "ENCODING", "z"),
    ("ZREM", "z", L65), ("OBJECT", "ENCODING", "z"),
    ("ZADD", "z2", "1", L65, "2", "a"), ("OBJECT", "ENCODING", "z2"),
    ("ZINCRBY", "z3", "1", L65), ("OBJECT", "ENCODING", "z3"),
    ("ZADD", "z4", "1", "a"), ("ZADD", "z4", "XX", "1", L65),
    ("OBJECT", "ENCODING", "z4"),
    ("CONFIG", "SET", "zset-max-listpack-entries", "3"),
    ("ZADD", "z5", "3", "a", "2", "b", "1", "c"), ("OBJECT", "ENCODING", "z5"),
    ("ZSCAN", "z5", "0", "COUNT", "1"),  # a listpack: whole, by score
    ("ZADD", "z5", "4", "d"), ("OBJECT", "ENCODING", "z5"),
    ("ZPOPMIN", "z5", "3"), ("OBJECT", "ENCODING", "z5"),
    ("ZADD", "z6", "1", "a", "2", "b", "3", "c", "4", "d"),
    ("ZUNIONSTORE", "d", "1", "z6"), ("OBJECT", "ENCODING", "d"),
    ("ZRANGESTORE", "d", "z6", "0", "2"), ("OBJECT", "ENCODING", "d"),
    ("ZRANGESTORE", "d", "z6", "0", "3"), ("OBJECT", "ENCODING", "d"),
    ("ZINTERSTORE", "d", "2", "z6", "z6"), ("OBJECT", "ENCODING", "d"),
    ("ZDIFFSTORE", "d", "1", "z", "z6"), ("OBJECT", "ENCODING", "d"),
    ("CONFIG", "SET", "zset-max-listpack-entries", "0"),
    ("ZADD", "z7", "1", "a"), ("OBJECT", "ENCODING", "z7"),
    ("CONFIG", "SET", "zset-max-listpack-entries", "128"),
    ("ZUNIONSTORE", "d", "2", "z", "z2"), ("OBJECT", "ENCODING", "d"),
    ("ZRANGESTORE", "d", "z2", "0", "0"), ("OBJECT", "ENCODING", "d"),
]


@pytest.mark.parametrize("proto", [2, 3])
def test_object_encoding_matches_redis(server, real_redis, proto):  # noqa: F811
    ours, theirs = connect(server, real_redis, proto)
    try:
        bad = compare_script(ours, theirs, ENCODINGS)
    finally:
        for c in (ours, theirs):
            c.call("CONFIG", "SET", "zset-max-listpack-entries", "128")
    assert not bad, "\n".join("%r: shale %r, redis %r" % x for x in bad)


def test_zrandmember_picks_and_bound(r):
    """Every member is picked at about the same rate; a huge negative count
    is refused at once (Redis 7.0 would build it)."""
    n = 20
    r.zadd("d", {"m%02d" % i: i for i in range(n)})
    counts = {}
    for _ in range(200):
        for m in r.zrandmember("d", -20):
            counts[m] = counts.get(m, 0) + 1
    assert len(counts) == n
    assert min(counts.values()) > 100 and max(counts.values()) < 320, counts
    picks = r.zrandmember("d", 15, withscores=True)
    assert len(picks) == 30 and len(set(picks[0::2])) == 15
    for m, s in zip(picks[0::2], picks[1::2]):
        assert float(s) == int(m[1:])
    with pytest.raises(Exception) as e:
        r.execute_command("ZRANDMEMBER", "d", "-2147483648")
    assert "proto-max-bulk-len" in str(e.value)


def test_zscan_walks_a_big_zset_across_writes(r):
    r.zadd("big", {"m%04d" % i: i for i in range(1000)})
    seen = {}
    cursor, rounds = 0, 0
    while True:
        cursor, page = r.zscan("big", cursor, count=50)
        for m, s in page:
            assert m not in seen
            seen[m] = s
        r.zadd("big", {"new%d" % rounds: 1})
        rounds += 1
        if cursor == 0:
            break
    assert rounds > 5
    for i in range(1000):
        assert seen[b"m%04d" % i] == i


def test_leaderboard_and_rate_limiter_in_multi(server):
    """Two redis-py patterns: a leaderboard (ZINCRBY, ZREVRANGE WITHSCORES,
    ZREVRANK) and a sliding-window rate limiter (ZREMRANGEBYSCORE, ZADD,
    ZCARD, EXPIRE in one MULTI)."""
    c = server.redis(decode_responses=True)
    c.flushall()
    for player, pts in [("ann", 10), ("bob", 30), ("cy", 20), ("ann", 25)]:
        c.zincrby("board", pts, player)
    assert c.zrevrange("board", 0, 1, withscores=True) == [
        ("ann", 35.0), ("bob", 30.0)]
    assert c.zrevrank("board", "cy") == 2
    assert c.zscore("board", "ann") == 35.0

    def allow(user, now_ms, window_ms=1000, limit=3):
        key = "rl:" + user
        with c.pipeline(transaction=True) as p:
            p.zremrangebyscore(key, 0, now_ms - window_ms)
            p.zadd(key, {"%d" % now_ms: now_ms})
            p.zcard(key)
            p.pexpire(key, window_ms)
            _, _, count, _ = p.execute()
        return count <= limit

    got = [allow("u", t) for t in (0, 100, 200, 300, 1250)]
    assert got == [True, True, True, False, True]
    assert c.zrange("rl:u", 0, -1) == ["300", "1250"]
    c.close()


def test_watch_is_invalidated_by_zset_writes_only(server):
    """Every sorted-set write that changes the key breaks a WATCH on it;
    one that changes nothing (ZADD NX of a member, ZREM of a non-member)
    does not, as in Redis (signalModifiedKey only on a change)."""
    import redis
    c, other = server.redis(), server.redis()
    c.flushall()
    writes = [
        (lambda: other.zadd("w", {"b": 2}), True),
        (lambda: other.zadd("w", {"b": 2}, nx=True), False),
        (lambda: other.zadd("w", {"b": 2}), False),
        (lambda: other.zincrby("w", 1, "a"), True),
        (lambda: other.zrem("w", "nope"), False),
        (lambda: other.zrem("w", "b"), True),
        (lambda: other.zremrangebyscore("w", 100, 200), False),
        (lambda: other.zadd("w", {"x": 5}), True),
        (lambda: other.zpopmax("w"), True),
        (lambda: other.zunionstore("w", ["w"]), True),
        (lambda: other.zrangestore("w", "w", 0, 0), True),
        (lambda: other.zinterstore("nokey2", ["nokey"]), False),
    ]
    for i, (write, breaks) in enumerate(writes):
        c.zadd("w", {"a": 1})
        with c.pipeline() as p:
            p.watch("w")
            p.multi()
            p.zcard("w")
            write()
            if breaks:
                with pytest.raises(redis.WatchError):
                    p.execute()
            else:
                assert p.execute() == [c.zcard("w")], i
    c.close()
    other.close()


def test_memcached_refuses_a_zset(server, r):
    import socket
    r.zadd("coll", {"m": 1})
    s = socket.create_connection(("127.0.0.1", server.mc_port), timeout=10)
    f = s.makefile("rb")
    s.sendall(b"get coll\r\n")
    assert f.readline() == (b"CLIENT_ERROR key holds a Redis zset, not a "
                            b"memcached item\r\n")
    s.close()
    assert r.zscore("coll", "m") == 1.0


def test_pops_keep_the_ends_right_across_restart(server):
    """Pops move the score bounds the walks start at; a member added below
    (above) them, a ZREM of an end, a score moved off an end and a restart
    keep ZRANGE's ends exact."""
    c = server.redis()
    c.flushall()
    c.zadd("q", {"m%03d" % i: i for i in range(200)})
    assert len(c.zpopmin("q", 50)) == 50
    assert len(c.zpopmax("q", 50)) == 50
    assert c.zrange("q", 0, 0) == [b"m050"]
    assert c.zrange("q", -1, -1) == [b"m149"]
    c.zadd("q", {"low": -5, "high": 500})
    assert c.zrange("q", 0, 0, withscores=True) == [(b"low", -5.0)]
    assert c.zrevrange("q", 0, 0) == [b"high"]
    c.zrem("q", "low", "high")
    c.zincrby("q", 1000, "m050")  # the lowest moves to the top
    assert c.zrange("q", 0, 0) == [b"m051"]
    assert c.zrevrange("q", 0, 0) == [b"m050"]
    assert c.zrangebyscore("q", "-inf", "+inf", start=0, num=2) == [
        b"m051", b"m052"]
    c.close()
    server.stop()
    server.start()
    c = server.redis()
    assert c.zrange("q", 0, 1) == [b"m051", b"m052"]
    assert c.zrevrangebyscore("q", "+inf", "-inf", start=0, num=2) == [
        b"m050", b"m149"]
    assert c.zrank("q", "m149") == 98 and c.zcard("q") == 100
    assert c.zpopmin("q") == [(b"m051", 51.0)]
    c.close()
