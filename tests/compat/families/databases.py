"""Databases: SELECT MOVE COPY SWAPDB (FLUSHDB and FLUSHALL are in keys). The
key pool is the same in every database, so MOVE and SWAPDB meet keys the
other families wrote."""
from gen import Cmd, Family


def db_index(g):
    if g.chance(0.85):
        return str(g.choice([0, 0, 1, 1, 2, 15])).encode()
    return g.choice([b"16", b"-1", b"abc", b"", b"01", b"+1",
                     b"99999999999999999999", b"2147483648"])


def copy_args(g):
    out = [g.key(), g.key()]
    for _ in range(g.randint(0, 2)):
        r = g.rng.random()
        if r < 0.5:
            out += [g.case("DB"), db_index(g)]
        elif r < 0.9:
            out.append(g.case("REPLACE"))
        else:
            out.append(g.choice([b"FOO", b"DB"]))
    return out


FAMILY = Family("databases", [
    Cmd("SELECT", lambda g: [db_index(g)], weight=2),
    Cmd("MOVE", lambda g: [g.key(), db_index(g)], weight=2),
    Cmd("COPY", copy_args, weight=2),
    Cmd("SWAPDB", lambda g: [db_index(g), db_index(g)], weight=0.5),
], weight=0.4)
