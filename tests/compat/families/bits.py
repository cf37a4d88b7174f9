"""Bit commands: SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO.
Keys come from the shared pool, so they meet every other family's values
(integers, binary strings, hashes: WRONGTYPE)."""
from gen import Cmd, Family

TYPES = [b"u1", b"u7", b"u8", b"u16", b"u63", b"i1", b"i5", b"i8", b"i32",
         b"i64", b"u64", b"i65", b"u0", b"x8", b"I8", b""]


def offset(g):
    """Mostly small; now and then an edge (huge, negative, past the bulk
    limit of servers.py: an error on both)."""
    if g.chance(0.1):
        return g.int_arg()
    return str(g.randint(0, 600)).encode()


def field_offset(g):
    if g.chance(0.2):
        return b"#" + str(g.randint(-2, 40)).encode()
    return offset(g)


def unit(g):
    return g.choice([g.case("BIT"), g.case("BYTE"), b"FOO"])


def bitcount_args(g):
    out = [g.key()]
    if g.chance(0.7):
        out += [g.small_int(-40, 40), g.small_int(-40, 40)]
        if g.chance(0.5):
            out.append(unit(g))
    return out


def bitpos_args(g):
    out = [g.key(), g.choice([b"0", b"1", b"1", b"2", b"x"])]
    if g.chance(0.7):
        out.append(g.small_int(-40, 40))
        if g.chance(0.7):
            out.append(g.small_int(-320, 320))
            if g.chance(0.5):
                out.append(unit(g))
    return out


def bitop_args(g):
    op = g.choice([b"AND", b"OR", b"XOR", b"NOT", b"and", b"NAND"])
    return [op, g.key()] + g.keys(1, 3)


def bitfield_args(g, read_only=False):
    out = [g.key()]
    for _ in range(g.randint(0 if not read_only else 1, 4)):
        r = g.rng.random()
        if r < 0.15 and not read_only:
            out += [g.case("OVERFLOW"),
                    g.choice([b"WRAP", b"SAT", b"FAIL", b"fail", b"NONE"])]
        elif r < 0.5 or read_only and r < 0.9:
            out += [g.case("GET"), g.choice(TYPES), field_offset(g)]
        else:
            out += [g.choice([g.case("SET"), g.case("INCRBY")]),
                    g.choice(TYPES), field_offset(g), g.int_arg()]
    return out


FAMILY = Family("bits", [
    Cmd("SETBIT", lambda g: [g.key(), offset(g),
                             g.choice([b"0", b"1", b"1", b"2", b"x"])],
        weight=3),
    Cmd("GETBIT", lambda g: [g.key(), offset(g)], weight=2),
    Cmd("BITCOUNT", bitcount_args, weight=2),
    Cmd("BITPOS", bitpos_args, weight=2),
    Cmd("BITOP", bitop_args, weight=2),
    Cmd("BITFIELD", bitfield_args, weight=3),
    Cmd("BITFIELD_RO", lambda g: bitfield_args(g, True)),
])
