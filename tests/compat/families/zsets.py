"""Sorted sets: ZADD ... ZSCAN (no blocking pops yet). Keys come from the
shared pool, so sorted-set commands meet strings, hashes and sets
(WRONGTYPE every way; sets are valid inputs of the algebra).

Members are short (the sets stay listpack-encoded on Redis, whose skiplist
keeps -0 where its listpack and shale keep 0: docs/protocols.md). Pops are
deterministic (lowest or highest scores); ZRANDMEMBER is compared by kind
and size, ZSCAN iterated to its end (normalize.py)."""
from gen import Cmd, Family

MEMBERS = [b"a", b"b", b"c", b"d", b"1", b"10", b"", b"\x00\xff", b"m m"]
SCORES = [b"0", b"1", b"2", b"-1", b"1.5", b"0.1", b"inf", b"-inf", b"3"]


def member(g):
    return g.choice(MEMBERS)


def score(g):
    return g.float_arg() if g.chance(0.2) else g.choice(SCORES)


def zadd_args(g):
    opts = [g.case(o) for o in g.some(["NX", "XX", "GT", "LT", "CH", "INCR"],
                                      0, 2)]
    out = [g.key()] + opts
    for _ in range(1 if g.chance(0.3) else g.randint(1, 3)):
        out += [score(g), member(g)]
    if g.chance(0.03):
        out.append(score(g))  # odd pairs: syntax error
    return out


def score_bound(g):
    b = g.choice(SCORES + [b"+inf", b"(1", b"(0", b"(-inf", b"x", b"", b"("])
    return b


def lex_bound(g):
    return g.choice([b"-", b"+", b"[a", b"(a", b"[c", b"(d", b"[", b"(",
                     b"a", b"", b"[1"])


def limit(g):
    if g.chance(0.7):
        return []
    return [g.case("LIMIT"), g.choice([b"0", b"1", b"-1", b"5", b"x"]),
            g.choice([b"1", b"2", b"-1", b"0", b"x"])]


def zrange_args(g):
    kind = g.choice(["rank", "rank", "score", "lex"])
    out = [g.key()]
    if kind == "rank":
        out += [g.small_int(-5, 5), g.small_int(-5, 5)]
    elif kind == "score":
        out += [score_bound(g), score_bound(g), g.case("BYSCORE")]
    else:
        out += [lex_bound(g), lex_bound(g), g.case("BYLEX")]
    if g.chance(0.4):
        out.append(g.case("REV"))
    if g.chance(0.4):
        out.append(g.case("WITHSCORES"))
    return out + limit(g)


def rank_args(g):
    out = [g.key(), g.small_int(-5, 5), g.small_int(-5, 5)]
    return out + ([g.case("WITHSCORES")] if g.chance(0.5) else [])


def by_score_args(g):
    out = [g.key(), score_bound(g), score_bound(g)]
    return out + ([g.case("WITHSCORES")] if g.chance(0.5) else []) + limit(g)


def by_lex_args(g):
    return [g.key(), lex_bound(g), lex_bound(g)] + limit(g)


def numkeys(g, keys):
    if g.chance(0.9):
        return str(len(keys)).encode()
    return g.choice([b"0", b"-1", b"9", b"x"])


def algebra_args(g, store, diff=False):
    keys = g.keys(1, 3)
    out = ([g.key()] if store else []) + [numkeys(g, keys)] + keys
    if not diff and g.chance(0.3):
        out += [g.case("WEIGHTS")] + [g.choice([b"1", b"2", b"-1", b"0.5",
                                                b"inf", b"x"])
                                      for _ in keys]
    if not diff and g.chance(0.3):
        out += [g.case("AGGREGATE"), g.case(g.choice(["SUM", "MIN", "MAX",
                                                      "AVG"]))]
    if not store and g.chance(0.5):
        out.append(g.case("WITHSCORES"))
    return out


def zintercard_args(g):
    keys = g.keys(1, 3)
    out = [numkeys(g, keys)] + keys
    if g.chance(0.5):
        out += [g.case("LIMIT"), g.choice([b"0", b"1", b"2", b"-1", b"x"])]
    return out


def zmpop_args(g):
    keys = g.keys(1, 3)
    out = [numkeys(g, keys)] + keys + [g.case(g.choice(["MIN", "MAX",
                                                        "FOO"]))]
    if g.chance(0.5):
        out += [g.case("COUNT"), g.choice([b"1", b"2", b"10", b"0", b"x"])]
    return out


def zrandmember_args(g):
    if g.chance(0.3):
        return [g.key()]
    # No huge negative counts: Redis would build them (shale refuses them,
    # a documented difference).
    out = [g.key(), g.choice([str(g.randint(-8, 8)).encode(), b"0", b"x",
                              b"-9223372036854775808"])]
    return out + ([g.case("WITHSCORES")] if g.chance(0.5) else [])


def zscan_args(g):
    opts = []
    for _ in range(g.randint(0, 2)):
        if g.chance(0.5):
            opts += [g.case("MATCH"), g.choice([b"a*", b"*", b"[ab]", b""])]
        else:
            opts += [g.case("COUNT"), g.choice([b"1", b"2", b"10", b"0",
                                                 b"x"])]
    return [g.key(), g.choice([b"0", b"0", b"x"])] + opts


def pop_args(g):
    if g.chance(0.4):
        return [g.key()]
    return [g.key(), g.choice([b"0", b"1", b"2", b"10", b"-1", b"x"])]


FAMILY = Family("zsets", [
    Cmd("ZADD", zadd_args, weight=6),
    Cmd("ZINCRBY", lambda g: [g.key(), score(g), member(g)], weight=2),
    Cmd("ZREM", lambda g: [g.key()] + [member(g) for _ in
                                       range(g.randint(1, 3))], weight=2),
    Cmd("ZCARD", lambda g: [g.key()]),
    Cmd("ZSCORE", lambda g: [g.key(), member(g)]),
    Cmd("ZMSCORE", lambda g: [g.key(), member(g), member(g)]),
    Cmd("ZRANK", lambda g: [g.key(), member(g)]),
    Cmd("ZREVRANK", lambda g: [g.key(), member(g)]),
    Cmd("ZCOUNT", lambda g: [g.key(), score_bound(g), score_bound(g)]),
    Cmd("ZLEXCOUNT", lambda g: [g.key(), lex_bound(g), lex_bound(g)]),
    Cmd("ZRANGE", zrange_args, weight=3),
    Cmd("ZRANGESTORE", lambda g: [g.key()] + zrange_args(g)),
    Cmd("ZREVRANGE", rank_args),
    Cmd("ZRANGEBYSCORE", by_score_args),
    Cmd("ZREVRANGEBYSCORE", by_score_args),
    Cmd("ZRANGEBYLEX", by_lex_args),
    Cmd("ZREVRANGEBYLEX", by_lex_args),
    Cmd("ZREMRANGEBYRANK", lambda g: [g.key(), g.small_int(-4, 4),
                                      g.small_int(-4, 4)]),
    Cmd("ZREMRANGEBYSCORE", lambda g: [g.key(), score_bound(g),
                                       score_bound(g)]),
    Cmd("ZREMRANGEBYLEX", lambda g: [g.key(), lex_bound(g), lex_bound(g)]),
    Cmd("ZPOPMIN", pop_args),
    Cmd("ZPOPMAX", pop_args),
    Cmd("ZMPOP", zmpop_args),
    # BZMPOP with a 0.01 s timeout (or a bad one; never 0): the harness
    # waits for each reply, so an empty key always times out. (BZPOPMIN/MAX
    # are left out: a damaged arity makes a key their timeout.)
    Cmd("BZMPOP", lambda g: [g.choice([b"0.01", b"0.01", b"x"])] +
        zmpop_args(g)),
    Cmd("ZRANDMEMBER", zrandmember_args),
    Cmd("ZUNION", lambda g: algebra_args(g, False)),
    Cmd("ZINTER", lambda g: algebra_args(g, False)),
    Cmd("ZDIFF", lambda g: algebra_args(g, False, True)),
    Cmd("ZINTERCARD", zintercard_args),
    Cmd("ZUNIONSTORE", lambda g: algebra_args(g, True)),
    Cmd("ZINTERSTORE", lambda g: algebra_args(g, True)),
    Cmd("ZDIFFSTORE", lambda g: algebra_args(g, True, True)),
    Cmd("ZSCAN", zscan_args),
], weight=1.5, reset=[])
