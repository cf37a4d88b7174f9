"""Streams: XADD (explicit IDs and `ms-*`, NOMKSTREAM, MAXLEN/MINID with
`=` and LIMIT errors), XRANGE XREVRANGE XLEN XDEL XTRIM XSETID XINFO
STREAM and GROUPS, XREAD, consumer groups (XGROUP, XREADGROUP, XACK,
XCLAIM, XAUTOCLAIM with min-idle times that are 0 or out of reach,
XPENDING's summary and its IDLE form with an
idle time nothing reaches),
and XREAD / XREADGROUP BLOCK 0 on connections 1 and 2 (the runner's
blocking path, runner.py: served by XADD from any connection, or ended by
CLIENT UNBLOCK), with TYPE, DEL, RENAME and COPY across stream keys and
LPUSH and SET making them other types (WRONGTYPE both ways), DUMP (compared
by decoded value, normalize.py) and RESTORE of real Redis 7.0 stream
payloads (dump_payloads.json).

Not drawn, as they differ by design (docs/protocols.md) or by the clock:
replies with idle or delivery times (XPENDING's extended form, XINFO
CONSUMERS, XINFO STREAM FULL), `*` IDs (each server's clock), `~` trimming (Redis trims whole listpack nodes, shale
exactly) and XINFO STREAM of streams of 100 entries or more or with large
entries (radix-tree-keys/nodes are Redis's listpack nodes). Values are
short and a sequence adds far fewer than 100 entries to a key."""
from gen import Cmd, Family

KEYS = [b"s0", b"s1", b"s0", b"s1", b"s2"]
WAITERS = (1, 2)


def key(g):
    # Stream keys stay out of the shared pool (the other families' commands
    # would mostly answer WRONGTYPE). LPUSH and SET below make these keys
    # other types now and then.
    return g.choice(KEYS)


def _payloads():
    """Real redis-server 7.0 stream payloads (dump_payloads.json) with no
    pending entries (their delivery times would age into XPENDING IDLE's
    reach), and a list's."""
    import json
    import pathlib
    f = pathlib.Path(__file__).resolve().parents[1] / "dump_payloads.json"
    d = json.loads(f.read_text())
    return [bytes.fromhex(d[k]) for k in ("stream_empty", "stream_setid",
                                          "stream_fields", "stream_nodes",
                                          "list_small")]


PAYLOADS = _payloads()


def restore(g):
    """RESTORE of a stream payload: whole, or cut or with a bit flipped
    (a checksum error); damaged ones with a fixed checksum are
    test_resp_stream_dump.py's (shale refuses some Redis loads, by
    design)."""
    p = g.choice(PAYLOADS)
    r = g.rng.random()
    if r < 0.1:
        p = p[:g.randint(0, len(p) - 1)]
    elif r < 0.2:
        q = bytearray(p)
        q[g.randint(0, len(q) - 1)] ^= 1 << g.randint(0, 7)
        p = bytes(q)
    out = [key(g), b"0", p]
    if g.chance(0.6):
        out.append(b"REPLACE")
    return out


def ms(g):
    return str(g.randint(0, 40)).encode()


def stream_id(g):
    """An ID as XADD, XDEL and XSETID read it (strict)."""
    r = g.randint(0, 19)
    if r < 12:
        return ms(g) + b"-" + str(g.randint(0, 3)).encode()
    if r < 15:
        return ms(g)
    return g.choice([b"0-0", b"0-1", b"-", b"+", b"x", b"1-", b"-1",
                     b"18446744073709551615-18446744073709551615",
                     b"18446744073709551616", b" 5", b"+5-01", b""])


def bound(g):
    """An XRANGE bound: IDs, incomplete ones, `-`, `+`, exclusive."""
    r = g.randint(0, 9)
    if r < 2:
        return g.choice([b"-", b"+"])
    if r < 4:
        return b"(" + stream_id(g)
    return stream_id(g)


def fields(g):
    out = []
    for _ in range(g.randint(1, 3)):
        out += [g.choice([b"f", b"g", b"", b"name"]),
                g.choice([b"v", b"1", b"", b"x" * 30, b"\x00\xff"])]
    return out


def trim(g, xadd):
    opts = []
    r = g.randint(0, 9)
    if r < 4 and xadd:
        return opts
    kind = g.choice([b"MAXLEN", b"MINID"])
    opts.append(kind)
    if g.chance(0.3):
        opts.append(b"=")
    if kind == b"MAXLEN":
        opts.append(g.choice([b"0", b"1", b"2", b"3", b"5", b"-1", b"x"]))
    else:
        opts.append(stream_id(g))
    if g.chance(0.05):
        opts += [b"LIMIT", g.choice([b"0", b"5", b"-1"])]
    return opts


def xadd(g):
    out = [key(g)]
    if g.chance(0.15):
        out.append(b"NOMKSTREAM")
    out += trim(g, True)
    out.append(ms(g) + b"-*" if g.chance(0.3) else stream_id(g))
    return out + fields(g)


def count(g):
    if g.chance(0.6):
        return []
    return [b"COUNT", g.choice([b"0", b"1", b"2", b"5", b"-1", b"x"])]


def xread_ids(g, n):
    return [g.choice([b"0", b"$", b"$", ms(g), stream_id(g)])
            for _ in range(n)]


def xread(g):
    ks = [key(g) for _ in range(g.randint(1, 2))]
    return count(g) + [b"STREAMS"] + ks + xread_ids(g, len(ks))


def xread_block(g):
    ks = [g.choice(KEYS) for _ in range(g.randint(1, 2))]
    ids = [g.choice([b"$", b"$", b"$", ms(g) + b"-3"]) for _ in ks]
    return count(g) + [b"BLOCK", b"0", b"STREAMS"] + ks + ids


def xsetid(g):
    out = [key(g), stream_id(g)]
    if g.chance(0.3):
        out += [b"ENTRIESADDED", g.choice([b"0", b"3", b"100", b"-1"])]
    if g.chance(0.3):
        out += [b"MAXDELETEDID", stream_id(g)]
    return out


GROUPS = [b"g1", b"g2", b"g1", b"nog"]
CONSUMERS = [b"c1", b"c2", b"c3"]


def xgroup(g):
    sub = g.choice([b"CREATE", b"CREATE", b"SETID", b"DESTROY",
                    b"CREATECONSUMER", b"DELCONSUMER"])
    out = [sub, key(g), g.choice(GROUPS)]
    if sub in (b"CREATE", b"SETID"):
        out.append(g.choice([b"$", b"0", stream_id(g)]))
        if sub == b"CREATE" and g.chance(0.4):
            out.append(b"MKSTREAM")
        if g.chance(0.2):
            out += [b"ENTRIESREAD", g.choice([b"0", b"2", b"-1", b"-2"])]
    elif sub != b"DESTROY":
        out.append(g.choice(CONSUMERS))
    return out


def group_ids(g, n):
    return [g.choice([b">", b">", b">", b"0", ms(g)]) for _ in range(n)]


def xreadgroup(g):
    ks = [key(g) for _ in range(g.randint(1, 2))]
    out = [b"GROUP", g.choice(GROUPS), g.choice(CONSUMERS)] + count(g)
    if g.chance(0.15):
        out.append(b"NOACK")
    return out + [b"STREAMS"] + ks + group_ids(g, len(ks))


def xreadgroup_block(g):
    ks = [g.choice(KEYS) for _ in range(g.randint(1, 2))]
    return ([b"GROUP", g.choice(GROUPS), g.choice(CONSUMERS)] + count(g) +
            [b"BLOCK", b"0", b"STREAMS"] + ks + [b">"] * len(ks))


def xpending(g):
    out = [key(g), g.choice(GROUPS)]
    if g.chance(0.3):
        # Only forms whose replies carry no idle time.
        out += [b"IDLE", b"99999999", bound(g), bound(g),
                g.choice([b"1", b"10", b"x"])]
    return out


def min_idle(g):
    # 0, or an idle time nothing reaches (TIME is drawn only invalid: an
    # entry delivered at TIME 0 would show its idle time, each server's).
    return g.choice([b"0", b"0", b"99999999", b"-5", b"x"])


def xclaim(g):
    out = [key(g), g.choice(GROUPS), g.choice(CONSUMERS), min_idle(g)]
    out += [stream_id(g) for _ in range(g.randint(1, 3))]
    for _ in range(g.randint(0, 2)):
        out += g.choice([[b"FORCE"], [b"JUSTID"], [b"RETRYCOUNT", b"3"],
                         [b"LASTID", stream_id(g)], [b"IDLE", b"10"],
                         [b"TIME", b"x"]])
    return out


def xautoclaim(g):
    out = [key(g), g.choice(GROUPS), g.choice(CONSUMERS), min_idle(g),
           bound(g)]
    if g.chance(0.5):
        out += [b"COUNT", g.choice([b"1", b"2", b"10", b"0"])]
    if g.chance(0.3):
        out.append(b"JUSTID")
    return out


FAMILY = Family("streams", [
    Cmd("XADD", xadd, weight=8),
    Cmd("XRANGE", lambda g: [key(g), bound(g), bound(g)] + count(g),
        weight=3),
    Cmd("XREVRANGE", lambda g: [key(g), bound(g), bound(g)] + count(g),
        weight=2),
    Cmd("XLEN", lambda g: [key(g)]),
    Cmd("XDEL", lambda g: [key(g)] + [stream_id(g)
                                      for _ in range(g.randint(1, 3))],
        weight=2),
    Cmd("XTRIM", lambda g: [key(g)] + trim(g, False), weight=2),
    Cmd("XSETID", xsetid),
    Cmd("XREAD", xread, weight=2),
    Cmd("XREAD", xread_block, weight=2, mangle=False, conns=WAITERS),
    Cmd("XINFO", lambda g: [b"STREAM", key(g)]),
    Cmd("XGROUP", xgroup, weight=3),
    Cmd("XREADGROUP", xreadgroup, weight=3),
    Cmd("XREADGROUP", xreadgroup_block, weight=1.5, mangle=False,
        conns=WAITERS),
    Cmd("XACK", lambda g: [key(g), g.choice(GROUPS)] +
        [stream_id(g) for _ in range(g.randint(1, 3))], weight=2),
    Cmd("XPENDING", xpending, weight=1.5),
    Cmd("XCLAIM", xclaim, weight=1.5),
    Cmd("XAUTOCLAIM", xautoclaim, weight=1.5),
    Cmd("XINFO", lambda g: [b"GROUPS", key(g)]),
    Cmd("DUMP", lambda g: [key(g)], weight=0.7),
    Cmd("RESTORE", restore, weight=0.7),
    Cmd("TYPE", lambda g: [key(g)], weight=0.5),
    Cmd("DEL", lambda g: [key(g)], weight=0.5),
    Cmd("RENAME", lambda g: [key(g), key(g)], weight=0.3),
    Cmd("COPY", lambda g: [key(g), key(g)], weight=0.3),
    Cmd("LPUSH", lambda g: [key(g), b"x"], weight=0.2),
    Cmd("SET", lambda g: [key(g), b"1"], weight=0.2),
])
