"""Lists: LPUSH ... LMPOP, and BLMOVE BRPOPLPUSH BLMPOP with a 0.01 s
timeout (or a bad one: never 0). The harness waits for each reply before
the next command, so a blocking pop on an empty key always times out:
deterministic. BLPOP/BRPOP are left out: a damaged arity turns a key into
their timeout (e.g. 42 s), whose expiry then depends on timing. Keys come from the shared pool, so list commands meet strings,
hashes and sets (WRONGTYPE every way). Every list command is
deterministic: replies compare exactly, in order."""
from gen import Cmd, Family

ELEMENTS = [b"a", b"b", b"c", b"1", b"", b"\x00\xff"]


def element(g):
    return g.choice(ELEMENTS)


def elements(g, lo=1, hi=4):
    return [element(g) for _ in range(g.randint(lo, hi))]


def index(g):
    return g.choice([g.small_int(-6, 6), g.small_int(-6, 6), b"0", b"-1",
                     b"x", b"-9223372036854775808", b"9223372036854775807"])


def end(g):
    return g.case(g.choice(["LEFT", "RIGHT", "LEFT", "RIGHT", "UP"]))


def pop_args(g):
    if g.chance(0.5):
        return [g.key()]
    return [g.key(), g.choice([g.small_int(0, 5), b"-1", b"x"])]


def lpos_args(g):
    opts = []
    for _ in range(g.randint(0, 3)):
        name = g.choice(["RANK", "COUNT", "MAXLEN"])
        if name == "RANK":
            v = g.choice([b"1", b"2", b"-1", b"-2", b"0", b"x",
                          b"-9223372036854775808"])
        else:
            v = g.choice([b"0", b"1", b"2", b"-1", b"x"])
        opts += [g.case(name), v]
    if g.chance(0.05):
        opts.append(g.case("COUNT"))
    return [g.key(), element(g)] + opts


def lmpop_args(g):
    keys = g.keys(1, 3)
    n = g.choice([str(len(keys)).encode()] * 3 + [b"0", b"9", b"x"])
    out = [n] + keys + [end(g)]
    if g.chance(0.5):
        out += [g.case("COUNT"), g.choice([b"1", b"2", b"5", b"0", b"x"])]
    return out


def timeout(g):
    return g.choice([b"0.01", b"0.01", b"0.01", b"x", b"-1"])


FAMILY = Family("lists", [
    Cmd("LPUSH", lambda g: [g.key()] + elements(g), weight=4),
    Cmd("RPUSH", lambda g: [g.key()] + elements(g), weight=4),
    Cmd("LPUSHX", lambda g: [g.key()] + elements(g)),
    Cmd("RPUSHX", lambda g: [g.key()] + elements(g)),
    Cmd("LPOP", pop_args, weight=2),
    Cmd("RPOP", pop_args, weight=2),
    Cmd("LLEN", lambda g: [g.key()]),
    Cmd("LINDEX", lambda g: [g.key(), index(g)]),
    Cmd("LSET", lambda g: [g.key(), index(g), element(g)]),
    Cmd("LRANGE", lambda g: [g.key(), index(g), index(g)], weight=3),
    Cmd("LINSERT", lambda g: [g.key(), g.case(g.choice(
        ["BEFORE", "AFTER", "BEFORE", "AFTER", "MIDDLE"])), element(g),
        element(g)]),
    Cmd("LREM", lambda g: [g.key(), g.choice([g.small_int(-3, 3), b"x"]),
                           element(g)]),
    Cmd("LTRIM", lambda g: [g.key(), index(g), index(g)]),
    Cmd("LPOS", lpos_args),
    Cmd("LMOVE", lambda g: [g.key(), g.key(), end(g), end(g)]),
    Cmd("RPOPLPUSH", lambda g: [g.key(), g.key()]),
    Cmd("LMPOP", lmpop_args),
    Cmd("BLMOVE", lambda g: [g.key(), g.key(), end(g), end(g), timeout(g)]),
    Cmd("BRPOPLPUSH", lambda g: [g.key(), g.key(), timeout(g)]),
    Cmd("BLMPOP", lambda g: [timeout(g)] + lmpop_args(g)),
], weight=1.5, reset=[])
