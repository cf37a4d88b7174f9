"""SORT and SORT_RO over lists, sets and sorted sets, byte for byte against
redis-server 7.0 (real_redis.py), in RESP2 and RESP3 and inside MULTI,
with their keyspace events and a seeded random sequence.

A set's elements reach SORT in member byte order in shale and in hash-table
order in Redis: that shows only when nothing is sorted (BY without '*' on a
set, without STORE), which the scripts do not compare (docs/protocols.md).
"""
import random

import pytest

from real_redis import compare_script, fresh_raw, real_redis  # noqa: F401
from test_keyspace_events import run_sequence

SETUP = [
    ("RPUSH", "l", "3", "1", "2", "10", "-1.5", "2"),
    ("RPUSH", "words", "banana", "apple", "cherry", "Apple", ""),
    ("RPUSH", "bad", "1", "x", "2"),
    ("SADD", "s", "5", "3", "9", "1"),
    ("SADD", "sw", "b", "a", "c"),
    ("ZADD", "z", "3", "a", "1", "b", "2", "c", "1", "d"),
    ("MSET", "w_3", "30", "w_1", "10", "w_2", "-5", "w_10", "x",
     "w_a", "2", "w_b", "1", "w_c", "3", "w_d", "0"),
    ("MSET", "o_1", "one", "o_2", "two", "o_3", "three", "o_5", "five"),
    ("HSET", "h_1", "f", "9", "n", "uno"),
    ("HSET", "h_2", "f", "7", "n", "dos"),
    ("HSET", "h_3", "f", "8"),
]

SCRIPT = SETUP + [
    ("SORT", "l"),
    ("SORT", "l", "DESC"),
    ("SORT", "l", "ASC"),
    ("SORT", "l", "LIMIT", "1", "3"),
    ("SORT", "l", "LIMIT", "0", "0"),
    ("SORT", "l", "LIMIT", "-5", "2"),
    ("SORT", "l", "LIMIT", "4", "-1"),
    ("SORT", "l", "LIMIT", "100", "5"),
    ("SORT", "l", "LIMIT", "1", "9223372036854775807"),
    ("SORT", "l", "LIMIT", "2", "9223372036854775807"),
    ("SORT", "l", "LIMIT", "9223372036854775807", "9223372036854775807"),
    ("SORT", "l", "LIMIT", "-9223372036854775808", "3"),
    ("SORT", "l", "LIMIT", "x", "1"),
    ("SORT", "l", "LIMIT", "1"),
    ("SORT", "l", "ALPHA"),
    ("SORT", "l", "ALPHA", "DESC", "LIMIT", "0", "2"),
    ("SORT", "words"),
    ("SORT", "words", "ALPHA"),
    ("SORT", "words", "ALPHA", "DESC"),
    ("SORT", "bad"),
    # Scores as Redis's strtod reads them: blanks before, hex, inf, "".
    ("RPUSH", "odd", " 3", "", "0x10", "2", "inf", "-inf", "1e-3"),
    ("SORT", "odd"),
    ("SORT", "odd", "DESC"),
    ("RPUSH", "nan", "1", "nan"),
    ("SORT", "nan"),
    ("RPUSH", "sp", "1 ", "2"),
    ("SORT", "sp"),
    ("SORT", "bad", "ALPHA"),
    ("SORT", "s"),
    ("SORT", "s", "DESC", "LIMIT", "1", "2"),
    ("SORT", "sw", "ALPHA"),
    ("SORT", "sw"),
    ("SORT", "z"),
    ("SORT", "z", "ALPHA"),
    ("SORT", "z", "BY", "nosort"),
    ("SORT", "z", "BY", "nosort", "DESC"),
    ("SORT", "z", "BY", "nosort", "LIMIT", "1", "2"),
    ("SORT", "z", "BY", "nosort", "DESC", "LIMIT", "1", "2"),
    ("SORT", "z", "BY", "w_*"),
    ("SORT", "z", "BY", "w_*", "DESC"),
    ("SORT", "l", "BY", "nosort"),
    ("SORT", "l", "BY", "nosort", "DESC"),
    ("SORT", "l", "BY", "nosort", "LIMIT", "2", "2"),
    ("SORT", "l", "BY", "w_*"),
    ("SORT", "l", "BY", "w_*", "ALPHA"),
    ("SORT", "l", "BY", "h_*->f"),
    ("SORT", "l", "BY", "h_*->f", "DESC"),
    ("SORT", "l", "BY", "h_*->n", "ALPHA"),
    ("SORT", "l", "BY", "h_*->"),
    ("SORT", "l", "GET", "o_*"),
    ("SORT", "l", "GET", "#", "GET", "o_*", "GET", "h_*->n"),
    ("SORT", "l", "BY", "nosort", "GET", "o_*"),
    ("SORT", "l", "GET", "nostar"),
    ("SORT", "l", "GET"),
    ("SORT", "s", "BY", "w_*", "GET", "#"),
    ("SORT", "l", "FOO"),
    ("SORT", "l", "STORE"),
    ("SORT", "nokey"),
    ("SORT", "nokey", "BY", "w_*", "GET", "#"),
    ("SORT", "l", "STORE", "dst"),
    ("LRANGE", "dst", "0", "-1"),
    ("SORT", "l", "GET", "o_*", "STORE", "dst"),
    ("LRANGE", "dst", "0", "-1"),
    ("SORT", "sw", "BY", "nosort", "STORE", "dst"),
    ("LRANGE", "dst", "0", "-1"),
    ("SORT", "s", "BY", "nosort", "STORE", "dst2"),
    ("LRANGE", "dst2", "0", "-1"),
    ("SET", "strdst", "v"),
    ("EXPIRE", "strdst", "100"),
    ("SORT", "l", "STORE", "strdst"),
    ("TYPE", "strdst"),
    ("TTL", "strdst"),
    ("SORT", "nokey", "STORE", "dst"),
    ("EXISTS", "dst"),
    ("SORT", "nokey", "STORE", "dst"),
    ("SORT", "l", "ALPHA", "STORE", "l"),
    ("LRANGE", "l", "0", "-1"),
    ("SORT_RO", "l"),
    ("SORT_RO", "s", "DESC"),
    ("SORT_RO", "l", "STORE", "dst"),
    ("SORT_RO", "z", "BY", "w_*", "GET", "#", "GET", "w_*"),
    # Wrong types.
    ("SET", "str", "v"),
    ("HSET", "hh", "f", "v"),
    ("SORT", "str"),
    ("SORT", "hh"),
    ("SORT_RO", "str"),
    ("SORT", "str", "STORE", "dst"),
]


@pytest.mark.parametrize("proto", [2, 3])
def test_sort_matches_redis(server, real_redis, proto):  # noqa: F811
    ours = fresh_raw(server.port, proto)
    theirs = fresh_raw(real_redis.port, proto)
    bad = compare_script(ours, theirs, SCRIPT)
    assert not bad, "\n".join("%r: shale %r, redis %r" % x for x in bad)


@pytest.mark.parametrize("proto", [2, 3])
def test_sort_in_multi_matches_redis(server, real_redis, proto):  # noqa: F811
    script = [("MULTI",)] + SCRIPT + [("EXEC",)]
    ours = fresh_raw(server.port, proto)
    theirs = fresh_raw(real_redis.port, proto)
    bad = compare_script(ours, theirs, script)
    assert not bad, "\n".join("%r: shale %r, redis %r" % x for x in bad)


SORT_EVENTS = SETUP + [
    ("SORT", "l", "STORE", "d"),
    ("SORT", "l", "STORE", "d"),
    ("SORT", "nokey", "STORE", "d"),
    ("SORT", "nokey", "STORE", "d"),
    ("SORT", "l", "BY", "nokey_*"),
    ("SORT", "l", "GET", "o_*"),
    ("SORT", "nokey"),
]


@pytest.mark.parametrize("flags", ["KEA", "KEgl$nm"])
def test_sort_events_match_redis(server, real_redis, flags):  # noqa: F811
    theirs = run_sequence(real_redis.port, flags, SORT_EVENTS)
    ours = run_sequence(server.port, flags, SORT_EVENTS)
    assert ours == theirs
    assert len(theirs["events"]) > 20


def test_random_sorts_match_redis(server, real_redis):  # noqa: F811
    """Random lists and sorted sets (and sets, always sorted), random
    weights, random options."""
    seed = random.randrange(1 << 30)
    print("seed", seed)
    rng = random.Random(seed)
    ours = fresh_raw(server.port, 2)
    theirs = fresh_raw(real_redis.port, 2)
    vals = ["1", "2", "3", "10", "-4", "0.5", "1e3", "7"]

    def both(*step):
        a, b = ours.call(*step), theirs.call(*step)
        assert a == b, (seed, step, a, b)

    for i in range(300):
        op = rng.randrange(6)
        if op == 0:
            both("RPUSH", "L", *rng.sample(vals, rng.randrange(1, 4)))
        elif op == 1:
            both("ZADD", "Z", str(rng.randrange(-3, 3)), rng.choice(vals))
        elif op == 2:
            both("SET", "w_" + rng.choice(vals), str(rng.randrange(-5, 5)))
        elif op == 3:
            both("SADD", "S", rng.choice(vals))
        else:
            step = ["SORT", rng.choice(["L", "Z", "S"])]
            if rng.randrange(2):
                step += ["BY", "w_*"]
            if rng.randrange(3) == 0:
                step += ["LIMIT", str(rng.randrange(-1, 4)),
                         str(rng.randrange(-1, 4))]
            if rng.randrange(2):
                step += ["DESC"]
            if rng.randrange(2):
                step += ["GET", "#", "GET", "w_*"]
            if rng.randrange(4) == 0:
                step += ["STORE", "D"]
            both(*step)
            both("LRANGE", "D", "0", "-1")


def test_out_of_range_score_fails_that_sort_only(r):
    """A score strtod cannot hold (1e400) fails its SORT, as in Redis; the
    next SORT is not affected (redis-server 7.0 checks errno without
    clearing it first, so there every later numeric SORT fails too until
    something resets errno: not copied, docs/protocols.md)."""
    import redis
    r.rpush("huge", "1", "1e400")
    r.rpush("fine", "2", "1")
    with pytest.raises(redis.ResponseError, match="can't be converted"):
        r.sort("huge")
    assert r.sort("fine") == [b"1", b"2"]
