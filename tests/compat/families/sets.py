"""Sets: SADD ... SSCAN (the set type's commands). Keys come from the
shared pool, so set commands meet strings and hashes (WRONGTYPE every way).

SPOP removes random members, which would leave the two servers with
different sets: it is drawn only with counts that pop all or nothing (or
are refused). SMOVE, the *STORE commands and SINTERCARD are deterministic."""
from gen import Cmd, Family

MEMBERS = [b"1", b"2", b"10", b"-3", b"a", b"b", b"", b"\x00\xff"]


def member(g):
    return g.choice(MEMBERS)


def members(g, lo=1, hi=3):
    return [member(g) for _ in range(g.randint(lo, hi))]


def count_arg(g):
    # No huge negative counts: SRANDMEMBER would build them in memory on
    # Redis (shale refuses them, a documented difference).
    return g.choice([str(g.randint(-8, 8)).encode(), b"0", b"x", b"1.5",
                     b"-9223372036854775808"])


def srandmember_args(g):
    return [g.key()] if g.chance(0.3) else [g.key(), count_arg(g)]


def spop_args(g):
    return [g.key(), g.choice([b"100", b"0", b"-1", b"x"])]


def sintercard_args(g):
    keys = g.keys(1, 3)
    n = g.choice([str(len(keys)).encode(), str(len(keys)).encode(), b"0",
                  b"9", b"x"])
    out = [n] + keys
    if g.chance(0.5):
        out += [g.case("LIMIT"), g.choice([b"0", b"1", b"2", b"-1", b"x"])]
    return out


def sscan_args(g):
    opts = []
    for _ in range(g.randint(0, 2)):
        if g.chance(0.5):
            opts += [g.case("MATCH"), g.choice([b"a*", b"*", b"[12]*", b""])]
        else:
            opts += [g.case("COUNT"), g.choice([b"1", b"2", b"10", b"0",
                                                 b"x"])]
    return [g.key(), g.choice([b"0", b"0", b"x"])] + opts


FAMILY = Family("sets", [
    Cmd("SADD", lambda g: [g.key()] + members(g), weight=5),
    Cmd("SREM", lambda g: [g.key()] + members(g), weight=2),
    Cmd("SMEMBERS", lambda g: [g.key()], weight=2),
    Cmd("SISMEMBER", lambda g: [g.key(), member(g)]),
    Cmd("SMISMEMBER", lambda g: [g.key()] + members(g)),
    Cmd("SCARD", lambda g: [g.key()]),
    # No arity damage: SPOP without its count pops one random member.
    Cmd("SPOP", spop_args, mangle=False),
    Cmd("SRANDMEMBER", srandmember_args),
    Cmd("SMOVE", lambda g: [g.key(), g.key(), member(g)]),
    Cmd("SINTER", lambda g: g.keys(1, 3)),
    Cmd("SUNION", lambda g: g.keys(1, 3)),
    Cmd("SDIFF", lambda g: g.keys(1, 3)),
    Cmd("SINTERCARD", sintercard_args),
    Cmd("SINTERSTORE", lambda g: [g.key()] + g.keys(1, 3)),
    Cmd("SUNIONSTORE", lambda g: [g.key()] + g.keys(1, 3)),
    Cmd("SDIFFSTORE", lambda g: [g.key()] + g.keys(1, 3)),
    Cmd("SSCAN", sscan_args),
], weight=1.5, reset=[])
