"""Hashes: HSET ... HSCAN (the hash type's commands). Keys come from the
shared pool, so hash commands meet strings (WRONGTYPE both ways)."""
from gen import Cmd, Family

FIELDS = [b"f1", b"f2", b"f3", b"", b"\x00\xff", b"n"]


def field(g):
    return g.choice(FIELDS)


def hset_args(g):
    out = [g.key()]
    for _ in range(g.randint(1, 3)):
        out += [field(g), g.value()]
    return out


def hdel_args(g):
    return [g.key()] + [field(g) for _ in range(g.randint(1, 3))]


def hrandfield_args(g):
    r = g.rng.random()
    k = g.key()
    if r < 0.3:
        return [k]
    # No huge counts: a negative one asks for that many picks, which both
    # servers build in memory (Redis 7.0 as well), for minutes.
    count = g.choice([str(g.randint(-8, 8)).encode(), b"0", b"x", b"1.5",
                      b"-9223372036854775808"])
    if r < 0.7:
        return [k, count]
    return [k, count, g.choice([g.case("WITHVALUES"), b"FOO"])]


def hscan_args(g):
    opts = []
    for _ in range(g.randint(0, 2)):
        if g.chance(0.5):
            opts += [g.case("MATCH"), g.choice([b"f*", b"*", b"[fn]?", b""])]
        else:
            opts += [g.case("COUNT"), g.choice([b"1", b"2", b"10", b"0",
                                                 b"x"])]
    return [g.key(), g.choice([b"0", b"0", b"x"])] + opts


FAMILY = Family("hashes", [
    Cmd("HSET", hset_args, weight=4),
    Cmd("HMSET", hset_args),
    Cmd("HSETNX", lambda g: [g.key(), field(g), g.value()]),
    Cmd("HGET", lambda g: [g.key(), field(g)], weight=2),
    Cmd("HMGET", lambda g: [g.key()] + [field(g) for _ in
                                        range(g.randint(1, 3))]),
    Cmd("HGETALL", lambda g: [g.key()], weight=2),
    Cmd("HKEYS", lambda g: [g.key()]),
    Cmd("HVALS", lambda g: [g.key()]),
    Cmd("HDEL", hdel_args, weight=2),
    Cmd("HLEN", lambda g: [g.key()]),
    Cmd("HSTRLEN", lambda g: [g.key(), field(g)]),
    Cmd("HEXISTS", lambda g: [g.key(), field(g)]),
    Cmd("HINCRBY", lambda g: [g.key(), field(g),
                              g.choice([g.small_int(), g.int_arg()])],
        weight=2),
    Cmd("HINCRBYFLOAT", lambda g: [g.key(), field(g),
                                   g.choice([g.float_arg(), g.small_int()])],
        weight=2),
    Cmd("HRANDFIELD", hrandfield_args),
    Cmd("HSCAN", hscan_args),
], weight=1.5, reset=[])
