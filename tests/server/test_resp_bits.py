"""Bit commands (SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO)
byte for byte against redis-server 7.0 (real_redis.py), in RESP2 and
RESP3, with their keyspace events and WATCH behaviour."""
import random

import pytest

from real_redis import compare_script, fresh_raw as fresh
from real_redis import real_redis  # noqa: F401 (fixture)
from resp_raw import RawConn

SCRIPT = [
    # SETBIT / GETBIT, errors in Redis's order.
    ("SETBIT", "b", "7", "1"),
    ("SETBIT", "b", "7", "1"),
    ("SETBIT", "b", "7", "0"),
    ("SETBIT", "b", "100", "1"),
    ("GET", "b"),
    ("SETBIT", "b", "-1", "1"),
    ("SETBIT", "b", "x", "1"),
    ("SETBIT", "b", "1", "2"),
    ("SETBIT", "b", "1", "-1"),
    ("SETBIT", "b", "1", "x"),
    ("SETBIT", "b", "4294967296", "1"),
    ("SETBIT", "b", "x", "2"),
    ("GETBIT", "b", "100"),
    ("GETBIT", "b", "101"),
    ("GETBIT", "b", "99999999"),
    ("GETBIT", "b", "-1"),
    ("GETBIT", "b", "4294967296"),
    ("GETBIT", "nokey", "3"),
    ("GETBIT", "nokey", "x"),
    ("SET", "s", "foobar"),
    ("GETBIT", "s", "1"),
    ("SETBIT", "s", "0", "1"),
    ("GET", "s"),
    ("SET", "n", "12345"),
    ("SETBIT", "n", "7", "0"),
    ("GET", "n"),
    ("SETBIT", "s", "47", "1"),
    ("SETBIT", "s", "48", "1"),
    ("STRLEN", "s"),
    # BITCOUNT with BYTE/BIT ranges.
    ("SET", "c", "foobar"),
    ("BITCOUNT", "c"),
    ("BITCOUNT", "c", "0", "0"),
    ("BITCOUNT", "c", "1", "1"),
    ("BITCOUNT", "c", "1", "-1"),
    ("BITCOUNT", "c", "-2", "-1"),
    ("BITCOUNT", "c", "-1", "-2"),
    ("BITCOUNT", "c", "-1", "-2", "FOO"),
    ("BITCOUNT", "c", "5", "30"),
    ("BITCOUNT", "c", "-100", "100"),
    ("BITCOUNT", "c", "3", "1"),
    ("BITCOUNT", "c", "1", "5", "BIT"),
    ("BITCOUNT", "c", "1", "5", "bit"),
    ("BITCOUNT", "c", "5", "30", "BIT"),
    ("BITCOUNT", "c", "-3", "-1", "BIT"),
    ("BITCOUNT", "c", "0", "47", "BIT"),
    ("BITCOUNT", "c", "9", "9", "BIT"),
    ("BITCOUNT", "c", "0", "1", "BYTE"),
    ("BITCOUNT", "c", "0", "1", "NIBBLE"),
    ("BITCOUNT", "c", "0"),
    ("BITCOUNT", "c", "0", "1", "BIT", "x"),
    ("BITCOUNT", "c", "x", "1"),
    ("BITCOUNT", "c", "0", "x"),
    ("BITCOUNT", "nokey"),
    ("BITCOUNT", "nokey", "0"),
    ("BITCOUNT", "nokey", "x", "y", "z"),
    ("SET", "empty", ""),
    ("BITCOUNT", "empty"),
    ("BITCOUNT", "empty", "0", "-1", "BIT"),
    ("SET", "long", "x" * 70 + "\xff" * 20),
    ("BITCOUNT", "long"),
    ("BITCOUNT", "long", "3", "80"),
    ("BITCOUNT", "long", "19", "701", "BIT"),
    # BITPOS.
    ("SET", "p", "\xff\xf0\x00"),
    ("BITPOS", "p", "0"),
    ("BITPOS", "p", "1"),
    ("BITPOS", "p", "1", "1"),
    ("BITPOS", "p", "1", "2"),
    ("BITPOS", "p", "0", "0", "0"),
    ("BITPOS", "p", "0", "0", "-1"),
    ("BITPOS", "p", "1", "-1"),
    ("BITPOS", "p", "1", "7", "15", "BIT"),
    ("BITPOS", "p", "0", "7", "15", "BIT"),
    ("BITPOS", "p", "0", "3", "10", "BIT"),
    ("BITPOS", "p", "1", "12", "-1", "BIT"),
    ("BITPOS", "p", "0", "12", "BIT"),
    ("BITPOS", "p", "1", "0", "0", "FOO"),
    ("BITPOS", "p", "2"),
    ("BITPOS", "p", "x"),
    ("BITPOS", "p", "1", "x"),
    ("BITPOS", "p", "1", "0", "x"),
    ("BITPOS", "p", "1", "2", "1"),
    ("BITPOS", "p", "1", "0", "1", "BIT", "x"),
    ("SET", "ones", "\xff\xff"),
    ("BITPOS", "ones", "0"),
    ("BITPOS", "ones", "0", "0"),
    ("BITPOS", "ones", "0", "0", "-1"),
    ("BITPOS", "ones", "0", "1", "BIT"),
    ("BITPOS", "ones", "0", "3", "-1", "BIT"),
    ("BITPOS", "ones", "0", "3", "12", "BIT"),
    ("SET", "zeros", "\x00\x00\x00"),
    ("BITPOS", "zeros", "1"),
    ("BITPOS", "zeros", "0"),
    ("BITPOS", "zeros", "1", "1", "1"),
    ("BITPOS", "nokey", "0"),
    ("BITPOS", "nokey", "1"),
    ("BITPOS", "nokey", "2"),
    ("BITPOS", "nokey", "1", "x"),
    ("BITPOS", "empty", "0"),
    ("BITPOS", "empty", "1"),
    # BITOP.
    ("SET", "k1", "foobar"),
    ("SET", "k2", "abcdef"),
    ("SET", "k3", "\x01"),
    ("BITOP", "AND", "d", "k1", "k2"),
    ("GET", "d"),
    ("BITOP", "or", "d", "k1", "k2", "k3"),
    ("GET", "d"),
    ("BITOP", "XOR", "d", "k1", "k3", "nokey"),
    ("GET", "d"),
    ("BITOP", "NOT", "d", "k1"),
    ("GET", "d"),
    ("BITOP", "NOT", "d", "k1", "k2"),
    ("BITOP", "NOT", "d", "nokey"),
    ("EXISTS", "d"),
    ("BITOP", "AND", "d", "nokey", "nokey2"),
    ("BITOP", "NAND", "d", "k1"),
    ("BITOP", "AND", "d", "k1", "h"),
    ("SET", "d", "x", "EX", "100"),
    ("BITOP", "AND", "d", "k1", "k1"),
    ("TTL", "d"),
    ("BITOP", "AND", "k1", "k1", "k3"),
    ("GET", "k1"),
    ("BITOP", "OR", "d", "empty"),
    ("EXISTS", "d"),
    # BITFIELD.
    ("BITFIELD", "f", "SET", "i8", "0", "100", "GET", "u4", "0"),
    ("BITFIELD", "f", "INCRBY", "i8", "0", "100"),
    ("BITFIELD", "f", "OVERFLOW", "SAT", "INCRBY", "i8", "0", "100"),
    ("BITFIELD", "f", "OVERFLOW", "FAIL", "INCRBY", "i8", "0", "1"),
    ("BITFIELD", "f", "OVERFLOW", "WRAP", "INCRBY", "i8", "0", "1"),
    ("BITFIELD", "f", "INCRBY", "u2", "100", "1", "OVERFLOW", "SAT",
     "INCRBY", "u2", "102", "1"),
    ("BITFIELD", "f", "INCRBY", "u2", "100", "1", "OVERFLOW", "SAT",
     "INCRBY", "u2", "102", "1"),
    ("BITFIELD", "f", "INCRBY", "u2", "100", "1", "OVERFLOW", "SAT",
     "INCRBY", "u2", "102", "1"),
    ("BITFIELD", "f", "OVERFLOW", "FAIL", "INCRBY", "u2", "102", "1"),
    ("BITFIELD", "f", "SET", "u8", "#2", "255", "GET", "u8", "#2",
     "GET", "u8", "16"),
    ("BITFIELD", "f", "SET", "i64", "8", "-9223372036854775808",
     "INCRBY", "i64", "8", "-1", "GET", "i64", "8"),
    ("BITFIELD", "f", "OVERFLOW", "SAT", "SET", "i64", "8",
     "9223372036854775807", "INCRBY", "i64", "8", "1"),
    ("BITFIELD", "f", "OVERFLOW", "FAIL", "INCRBY", "i64", "8", "1",
     "INCRBY", "i64", "8", "-9223372036854775808"),
    ("BITFIELD", "f", "SET", "u63", "3", "-1", "GET", "u63", "3"),
    ("BITFIELD", "f", "OVERFLOW", "SAT", "SET", "u8", "0", "-5",
     "SET", "i4", "0", "100", "SET", "i4", "0", "-100"),
    ("BITFIELD", "f", "OVERFLOW", "FAIL", "SET", "u8", "0", "256",
     "SET", "i4", "0", "8", "SET", "i4", "0", "-9", "SET", "i4", "0", "-8"),
    ("BITFIELD", "f", "INCRBY", "i5", "3", "-100", "INCRBY", "u5", "3",
     "-100", "INCRBY", "i1", "0", "1", "INCRBY", "u1", "0", "3"),
    ("BITFIELD", "f", "GET", "u64", "0"),
    ("BITFIELD", "f", "GET", "i65", "0"),
    ("BITFIELD", "f", "GET", "u0", "0"),
    ("BITFIELD", "f", "GET", "x8", "0"),
    ("BITFIELD", "f", "GET", "u8", "-1"),
    ("BITFIELD", "f", "GET", "u8", "#-1"),
    ("BITFIELD", "f", "GET", "u8", "#x"),
    ("BITFIELD", "f", "GET", "u8", "4294967296"),
    ("BITFIELD", "f", "GET", "u8"),
    ("BITFIELD", "f", "SET", "u8", "0"),
    ("BITFIELD", "f", "SET", "u8", "0", "x"),
    ("BITFIELD", "f", "INCRBY", "u8", "0", "1.5"),
    ("BITFIELD", "f", "OVERFLOW", "NONE", "GET", "u8", "0"),
    ("BITFIELD", "f", "OVERFLOW"),
    ("BITFIELD", "f", "FOO", "u8", "0"),
    ("BITFIELD", "f", "GET", "x8", "0", "FOO"),
    ("BITFIELD", "f"),
    ("BITFIELD", "f", "OVERFLOW", "FAIL"),
    ("BITFIELD", "nokey", "GET", "u8", "0", "GET", "i8", "8"),
    ("EXISTS", "nokey"),
    ("BITFIELD", "g", "OVERFLOW", "FAIL", "SET", "u2", "20", "7"),
    ("GET", "g"),
    ("BITFIELD", "g", "OVERFLOW", "FAIL", "SET", "u2", "40", "7"),
    ("STRLEN", "g"),
    ("BITFIELD_RO", "f", "GET", "u8", "0", "GET", "i3", "#1"),
    ("BITFIELD_RO", "f", "SET", "u8", "0", "1"),
    ("BITFIELD_RO", "f", "GET", "u8", "0", "INCRBY", "u8", "0", "1"),
    ("BITFIELD_RO", "f", "INCRBY", "x8", "0", "1"),
    ("BITFIELD_RO", "nokey", "GET", "u8", "0"),
    ("BITFIELD_RO", "f"),
    ("GET", "f"),
    # Other types.
    ("HSET", "h", "a", "1"),
    ("SETBIT", "h", "1", "1"),
    ("GETBIT", "h", "1"),
    ("GETBIT", "h", "x"),
    ("BITCOUNT", "h"),
    ("BITCOUNT", "h", "x", "y", "z"),
    ("BITPOS", "h", "1"),
    ("BITPOS", "h", "3"),
    ("BITFIELD", "h", "GET", "u8", "0"),
    ("BITFIELD", "h", "SET", "u8", "0", "1"),
    ("BITFIELD_RO", "h", "GET", "u8", "0"),
    ("BITOP", "OR", "h", "k2"),
    ("TYPE", "h"),
    ("GET", "h"),
    ("HSET", "h", "a", "1"),
    ("BITOP", "OR", "h", "nokey"),
    ("EXISTS", "h"),
]


@pytest.mark.parametrize("proto", [2, 3])
def test_bit_commands_match_redis(server, real_redis, proto):  # noqa: F811
    ours, theirs = fresh(server.port, proto), fresh(real_redis.port, proto)
    bad = compare_script(ours, theirs, SCRIPT)
    assert not bad, "\n".join("%r: shale %r, redis %r" % x for x in bad)


@pytest.mark.parametrize("proto", [2, 3])
def test_bit_commands_in_multi_match_redis(server, real_redis,  # noqa: F811
                                           proto):
    """Inside MULTI, each command sees the earlier ones' pending writes."""
    script = [("MULTI",)] + SCRIPT + [("EXEC",)]
    ours, theirs = fresh(server.port, proto), fresh(real_redis.port, proto)
    bad = compare_script(ours, theirs, script)
    assert not bad, "\n".join("%r: shale %r, redis %r" % x for x in bad)


def events(port, script):
    """The keyspace events script makes, as a list of (channel, key)."""
    sub = RawConn(port)
    c = RawConn(port)
    c.call("FLUSHALL")
    c.call("CONFIG", "SET", "notify-keyspace-events", "KEA")
    sub.call("PSUBSCRIBE", "__keyevent@0__:*")
    for step in script:
        c.call(*step)
    c.call("SET", "end", "1")  # the last event: everything before it came
    got = []
    while True:
        msg = sub.reply()
        parts = msg.split(b"\r\n")
        got.append((parts[-4], parts[-2]))
        if parts[-2] == b"end":
            break
    c.call("CONFIG", "SET", "notify-keyspace-events", "")
    sub.close()
    c.close()
    return got


EVENT_SCRIPT = [
    ("SETBIT", "b", "3", "1"),
    ("SETBIT", "b", "3", "1"),   # no change: no event
    ("SETBIT", "b", "3", "0"),
    ("SETBIT", "b", "20", "0"),  # grows: an event
    ("GETBIT", "nokey", "1"),
    ("BITCOUNT", "nokey"),
    ("BITPOS", "nokey", "1"),
    ("BITFIELD", "nokey", "GET", "u8", "0"),
    ("BITFIELD", "f", "SET", "u8", "0", "5"),
    ("BITFIELD", "f", "SET", "u8", "0", "5"),
    ("BITFIELD", "f", "OVERFLOW", "FAIL", "SET", "u2", "40", "7"),
    ("BITFIELD", "f", "INCRBY", "u8", "0", "0"),
    ("BITOP", "AND", "d", "b", "nokey"),
    ("BITOP", "AND", "d", "nokey"),
    ("BITOP", "AND", "d", "nokey"),
    ("SET", "x", "1", "EX", "100"),
    ("BITOP", "OR", "x", "b"),
]


def test_bit_events_match_redis(server, real_redis):  # noqa: F811
    assert events(server.port, EVENT_SCRIPT) == \
        events(real_redis.port, EVENT_SCRIPT)


def watch_aborts(port, setup, change):
    """Whether change, made by another client after WATCH, aborts EXEC."""
    c, other = RawConn(port), RawConn(port)
    c.call("FLUSHALL")
    for step in setup:
        c.call(*step)
    c.call("WATCH", "k")
    other.call(*change)
    c.call("MULTI")
    c.call("PING")
    aborted = c.call("EXEC") in (b"*-1\r\n", b"_\r\n")
    c.close()
    other.close()
    return aborted


@pytest.mark.parametrize("setup,change", [
    ([("SETBIT", "k", "5", "1")], ("SETBIT", "k", "5", "1")),
    ([("SETBIT", "k", "5", "1")], ("SETBIT", "k", "5", "0")),
    ([("SETBIT", "k", "5", "1")], ("SETBIT", "k", "50", "0")),
    ([("SET", "k", "a")], ("BITFIELD", "k", "SET", "u8", "0", "97")),
    ([("SET", "k", "a")], ("BITFIELD", "k", "SET", "u8", "0", "98")),
    ([("SET", "k", "a")], ("BITFIELD", "k", "GET", "u8", "0")),
    ([("SET", "k", "a")], ("BITOP", "AND", "k", "nokey")),
    ([], ("BITOP", "AND", "k", "nokey")),
])
def test_bit_writes_touch_watch_as_redis(server, real_redis,  # noqa: F811
                                         setup, change):
    assert watch_aborts(server.port, setup, change) == \
        watch_aborts(real_redis.port, setup, change)


def test_random_bit_ops_match_redis(server, real_redis):  # noqa: F811
    seed = random.randrange(1 << 30)
    print("seed", seed)
    rng = random.Random(seed)
    ours, theirs = fresh(server.port, 2), fresh(real_redis.port, 2)
    keys = ["a", "b", "c"]
    types = ["u1", "u7", "u8", "u13", "u63", "i1", "i8", "i17", "i64"]
    overflow = ["WRAP", "SAT", "FAIL"]
    for i in range(1500):
        k = rng.choice(keys)
        off = str(rng.randrange(200))
        op = rng.randrange(7)
        if op == 0:
            step = ("SETBIT", k, off, str(rng.randrange(2)))
        elif op == 1:
            step = ("BITCOUNT", k, str(rng.randrange(-30, 30)),
                    str(rng.randrange(-30, 30)), rng.choice(["BIT", "BYTE"]))
        elif op == 2:
            step = ("BITPOS", k, str(rng.randrange(2)),
                    str(rng.randrange(-30, 30)),
                    str(rng.randrange(-240, 240)), rng.choice(["BIT", "BYTE"]))
            step = step[:rng.randrange(3, 7)]
        elif op == 3:
            step = ("BITOP", rng.choice(["AND", "OR", "XOR"]), k,
                    rng.choice(keys), rng.choice(keys))
        elif op == 4:
            step = ("BITFIELD", k, "OVERFLOW", rng.choice(overflow),
                    rng.choice(["SET", "INCRBY"]), rng.choice(types), off,
                    str(rng.randrange(-1 << 64, 1 << 63)
                        if rng.randrange(4) == 0 else rng.randrange(-300, 300)),
                    "GET", rng.choice(types), off)
        elif op == 5:
            step = ("GET", k)
        else:
            step = ("BITPOS", k, str(rng.randrange(2)))
        a, b = ours.call(*step), theirs.call(*step)
        assert a == b, (seed, i, step, a, b)


def test_fail_only_bitfield_growth_touches_watch(server, real_redis):  # noqa: F811
    """The one documented difference (docs/protocols.md): a BITFIELD whose
    writes all FAIL still grows the key; Redis leaves WATCH alone, shale's
    write of the longer string touches it."""
    change = ("BITFIELD", "k", "OVERFLOW", "FAIL", "SET", "u2", "40", "7")
    assert watch_aborts(server.port, [("SET", "k", "a")], change)
    assert not watch_aborts(real_redis.port, [("SET", "k", "a")], change)
