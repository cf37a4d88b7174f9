"""The keyspace: DEL EXISTS TOUCH TYPE, the EXPIRE and TTL families, SCAN KEYS
RANDOMKEY, RENAME, DBSIZE, FLUSHDB."""
from gen import Cmd, Family


def expire_opts(g):
    if g.chance(0.5):
        return []
    opts = g.some([b"NX", b"XX", b"GT", b"LT"], 1, 2)
    if g.chance(0.1):
        opts.append(g.choice([b"FOO", b"", b"nx"]))
    return [g.case(o.decode()) for o in opts]


def scan_args(g):
    cursor = g.choice([b"0"] * 8 + [b"", b"abc", b" 0", b"1x", b"+0", b"-0"])
    opts = []
    for _ in range(g.randint(0, 3)):
        r = g.rng.random()
        if r < 0.4:
            opts += [g.case("MATCH"), g.pattern()]
        elif r < 0.75:
            opts += [g.case("COUNT"), g.choice([b"1", b"2", b"10", b"1000",
                                                b"0", b"-1", b"x"])]
        elif r < 0.95:
            opts += [g.case("TYPE"), g.choice([b"string", b"STRING", b"list",
                                               b"hash", b"none", b"foo"])]
        else:
            opts.append(g.choice([b"MATCH", b"FOO", b"COUNT"]))
    return [cursor] + opts


FAMILY = Family("keys", [
    Cmd("DEL", lambda g: g.keys(1, 4), weight=3),
    Cmd("UNLINK", lambda g: g.keys(1, 3)),
    Cmd("EXISTS", lambda g: g.keys(1, 4), weight=2),
    Cmd("TOUCH", lambda g: g.keys(1, 4)),
    Cmd("TYPE", lambda g: [g.key()]),
    Cmd("EXPIRE", lambda g: [g.key(), g.ttl_seconds()] + expire_opts(g),
        weight=2),
    Cmd("PEXPIRE", lambda g: [g.key(), g.ttl_ms()] + expire_opts(g), weight=2),
    Cmd("EXPIREAT", lambda g: [g.key(), g.at_seconds()] + expire_opts(g)),
    Cmd("PEXPIREAT", lambda g: [g.key(), g.at_ms()] + expire_opts(g)),
    Cmd("TTL", lambda g: [g.key()], weight=2),
    Cmd("PTTL", lambda g: [g.key()], weight=2),
    Cmd("EXPIRETIME", lambda g: [g.key()]),
    Cmd("PEXPIRETIME", lambda g: [g.key()]),
    Cmd("PERSIST", lambda g: [g.key()]),
    Cmd("SCAN", scan_args, weight=2),
    Cmd("KEYS", lambda g: [g.pattern()]),
    Cmd("RANDOMKEY", lambda g: [], weight=0.5),
    Cmd("RENAME", lambda g: [g.key(), g.key()]),
    Cmd("RENAMENX", lambda g: [g.key(), g.key()]),
    Cmd("DBSIZE", lambda g: [], weight=0.5),
    Cmd("FLUSHDB", lambda g: g.choice([[], [], [b"ASYNC"], [b"sync"],
                                        [b"FOO"]]), weight=0.1),
    Cmd("FLUSHALL", lambda g: g.choice([[], [b"SYNC"], [b"x", b"y"]]),
        weight=0.05),
])
