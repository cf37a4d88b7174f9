"""Blocking pops across connections: BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP
BZPOPMIN BZPOPMAX BZMPOP with timeout 0 on connections 1 and 2, and the
writes that serve them (pushes, ZADD, LMOVE, RENAME, COPY, MOVE, SWAPDB,
a SET that makes a waited key the wrong type, DEL) from any connection.
The runner's blocking path (runner.py) waits until each server shows the
pop blocked or answered, leaves it blocked while other connections write,
and ends the wait with CLIENT UNBLOCK: who was served, in which order and
with what is compared byte for byte. Keys are few (k0-k2, z0-z1) so that waits
and writes meet; the timeout is never damaged (mangle=False): another
value would race the runner's clock."""
from gen import Cmd, Family

# Lists mostly on k0 k1, sorted sets on z0 z1; k2 is shared, for waits on
# a key of the other type.
LIST_KEYS = [b"k0", b"k1", b"k0", b"k1", b"k2"]
ZSET_KEYS = [b"z0", b"z1", b"z0", b"z1", b"k2"]
WAITERS = (1, 2)


def key(g, pool=LIST_KEYS):
    return g.choice(pool)


def keys(g, pool=LIST_KEYS):
    return [key(g, pool) for _ in range(g.randint(1, 3))]


def zkey(g):
    return key(g, ZSET_KEYS)


def zkeys(g):
    return keys(g, ZSET_KEYS)


def anykey(g):
    return g.choice([b"k0", b"k1", b"k2", b"z0", b"z1"])


def elements(g):
    return [g.choice([b"a", b"b", b"1", b""])
            for _ in range(g.randint(1, 3))]


def end(g):
    return g.choice([b"LEFT", b"RIGHT"])


def mpop(g, ends, pool=LIST_KEYS):
    ks = keys(g, pool)
    out = [b"0", str(len(ks)).encode()] + ks + [g.choice(ends)]
    if g.chance(0.5):
        out += [b"COUNT", g.choice([b"1", b"2", b"5"])]
    return out


def zadd(g):
    out = [zkey(g)]
    for _ in range(g.randint(1, 3)):
        out += [g.choice([b"1", b"2", b"-1", b"2.5"]),
                g.choice([b"a", b"b", b"c"])]
    return out


def wait(name, build):
    return Cmd(name, build, weight=1, mangle=False, conns=WAITERS)


FAMILY = Family("blocking", [
    wait("BLPOP", lambda g: keys(g) + [b"0"]),
    wait("BRPOP", lambda g: keys(g) + [b"0"]),
    wait("BLMOVE", lambda g: [key(g), key(g), end(g), end(g), b"0"]),
    wait("BRPOPLPUSH", lambda g: [key(g), key(g), b"0"]),
    wait("BLMPOP", lambda g: mpop(g, [b"LEFT", b"RIGHT"])),
    wait("BZPOPMIN", lambda g: zkeys(g) + [b"0"]),
    wait("BZPOPMAX", lambda g: zkeys(g) + [b"0"]),
    wait("BZMPOP", lambda g: mpop(g, [b"MIN", b"MAX"], ZSET_KEYS)),
    Cmd("LPUSH", lambda g: [key(g)] + elements(g), weight=4),
    Cmd("RPUSH", lambda g: [key(g)] + elements(g), weight=4),
    Cmd("ZADD", zadd, weight=4),
    Cmd("LMOVE", lambda g: [key(g), key(g), end(g), end(g)]),
    Cmd("RENAME", lambda g: [anykey(g), anykey(g)], weight=0.5),
    Cmd("COPY", lambda g: [anykey(g), anykey(g)], weight=0.5),
    Cmd("MOVE", lambda g: [anykey(g), g.choice([b"0", b"1"])], weight=0.3),
    Cmd("SWAPDB", lambda g: [b"0", b"1"], weight=0.2),
    Cmd("SET", lambda g: [anykey(g), b"x"], weight=0.3),
    Cmd("DEL", lambda g: [anykey(g)], weight=0.5),
], weight=1.0)
