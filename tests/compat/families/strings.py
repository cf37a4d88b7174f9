"""Strings: GET SET ... SETRANGE (the string type's commands)."""
from gen import Cmd, Family


def set_args(g):
    opts = []
    for _ in range(g.randint(0, 3)):
        r = g.rng.random()
        if r < 0.15:
            opts.append(g.case("NX"))
        elif r < 0.3:
            opts.append(g.case("XX"))
        elif r < 0.45:
            opts.append(g.case("GET"))
        elif r < 0.55:
            opts.append(g.case("KEEPTTL"))
        elif r < 0.68:
            opts += [g.case("EX"), g.ttl_seconds()]
        elif r < 0.82:
            opts += [g.case("PX"), g.ttl_ms()]
        elif r < 0.9:
            opts += [g.case("EXAT"), g.at_seconds()]
        elif r < 0.97:
            opts += [g.case("PXAT"), g.at_ms()]
        else:
            opts.append(g.choice([b"EX", b"PX", b"FOO", b""]))
    return [g.key(), g.value()] + opts


def getex_args(g):
    r = g.rng.random()
    k = g.key()
    if r < 0.2:
        return [k]
    if r < 0.35:
        return [k, g.case("PERSIST")]
    if r < 0.5:
        return [k, g.case("EX"), g.ttl_seconds()]
    if r < 0.65:
        return [k, g.case("PX"), g.ttl_ms()]
    if r < 0.75:
        return [k, g.case("EXAT"), g.at_seconds()]
    if r < 0.85:
        return [k, g.case("PXAT"), g.at_ms()]
    # Conflicting or malformed options.
    return [k] + g.some([b"EX", b"10", b"PX", b"PERSIST", b"KEEPTTL", b"EXAT"],
                        1, 4)


def mset_args(g):
    out = []
    for _ in range(g.randint(1, 4)):
        out += [g.key(), g.value()]
    return out


def range_index(g):
    return g.choice([g.small_int(-20, 20), g.int_arg(), b"0", b"-1"])


def setrange_args(g):
    from servers import MAX_BULK
    offset = g.choice([
        g.small_int(0, 40), g.small_int(0, 40), g.int_arg(),
        str(MAX_BULK - g.randint(0, 3)).encode(),
        str(g.randint(1000, 70000)).encode()])
    return [g.key(), offset, g.choice([g.value(), b"", b"xyz"])]


def lcs_args(g):
    out = [g.key(), g.key()]
    for _ in range(g.randint(0, 3)):
        r = g.rng.random()
        if r < 0.6:
            out.append(g.case(g.choice(["LEN", "IDX", "WITHMATCHLEN"])))
        elif r < 0.9:
            out += [g.case("MINMATCHLEN"), g.small_int(-2, 6)]
        else:
            out.append(g.choice([b"FOO", b"MINMATCHLEN"]))
    return out


FAMILY = Family("strings", [
    Cmd("GET", lambda g: [g.key()], weight=4),
    Cmd("SET", set_args, weight=6),
    Cmd("SETNX", lambda g: [g.key(), g.value()]),
    Cmd("SETEX", lambda g: [g.key(), g.ttl_seconds(), g.value()]),
    Cmd("PSETEX", lambda g: [g.key(), g.ttl_ms(), g.value()]),
    Cmd("GETSET", lambda g: [g.key(), g.value()]),
    Cmd("GETDEL", lambda g: [g.key()]),
    Cmd("GETEX", getex_args, weight=2),
    Cmd("MGET", lambda g: g.keys(1, 5), weight=2),
    Cmd("MSET", mset_args, weight=2),
    Cmd("MSETNX", mset_args),
    Cmd("INCR", lambda g: [g.key()], weight=2),
    Cmd("DECR", lambda g: [g.key()]),
    Cmd("INCRBY", lambda g: [g.key(), g.int_arg()], weight=2),
    Cmd("DECRBY", lambda g: [g.key(), g.int_arg()]),
    Cmd("INCRBYFLOAT", lambda g: [g.key(), g.float_arg()], weight=2),
    Cmd("APPEND", lambda g: [g.key(), g.value()], weight=2),
    Cmd("STRLEN", lambda g: [g.key()]),
    Cmd("LCS", lcs_args),
    Cmd("GETRANGE", lambda g: [g.key(), range_index(g), range_index(g)],
        weight=2),
    Cmd("SETRANGE", setrange_args, weight=2),
])
