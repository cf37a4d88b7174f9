"""DUMP and RESTORE. RESTORE's payloads come from dump_payloads.json: real
redis-server 7.0 payloads of every type and encoding it writes and crafted
ones of the encodings it only loads (make_dump_payloads.py), whole,
truncated, with a byte flipped (a checksum error) or with a byte flipped
and the checksum fixed (the decoder's checks). Its replies compare byte for
byte; DUMP's compare by the value they decode to (normalize.py)."""
import json
import pathlib

import dump_codec
from gen import Cmd, Family

_FILE = pathlib.Path(__file__).resolve().parents[1] / "dump_payloads.json"
PAYLOADS = [bytes.fromhex(v) for _, v in
            sorted(json.loads(_FILE.read_text()).items())]
# Compact sorted sets (ZSET_ZIPLIST, ZSET_LISTPACK): Redis keeps their
# entries in the payload's order, so a damaged score would leave its set out
# of order where shale orders it (docs/protocols.md): not damaged here.
# Nor streams (15, 19): a damaged one Redis loads may be one shale refuses
# by design (IDs out of order, a length that lies: docs/protocols.md);
# tests/server/test_resp_stream_dump.py damages them, with that rule.
_ORDERED = (12, 17, 15, 19)


def payload(g):
    p = g.choice(PAYLOADS)
    r = g.rng.random()
    if r < 0.55:
        return p
    if r < 0.7:
        return p[:g.randint(0, len(p) - 1)]
    if r < 0.8:
        q = bytearray(p)
        q[g.randint(0, len(q) - 1)] ^= 1 << g.randint(0, 7)
        return bytes(q)
    if r < 0.95 and p[0] not in _ORDERED:
        q = bytearray(p[:-10])
        for _ in range(g.randint(1, 2)):
            q[g.randint(0, len(q) - 1)] ^= 1 << g.randint(0, 7)
        return dump_codec.footer(bytes(q))
    return g.choice([b"", b"x", g.value(), dump_codec.footer(b"\x0f\x00"),
                     dump_codec.footer(b"\x00\x01a", 11)])


def restore_args(g):
    absttl = g.chance(0.15)
    if absttl:
        ttl = g.at_ms()
    elif g.chance(0.7):
        ttl = b"0"
    else:
        ttl = g.ttl_ms()
    opts = []
    if g.chance(0.6):
        opts.append(g.case("REPLACE"))
    if absttl:
        opts.append(g.case("ABSTTL"))
    r = g.rng.random()
    if r < 0.1:
        opts += [g.case("IDLETIME"), g.choice([b"0", b"100", b"-1", b"x"])]
    elif r < 0.2:
        opts += [g.case("FREQ"), g.choice([b"0", b"255", b"256", b"-1"])]
    elif r < 0.25:
        opts += [b"IDLETIME", b"1", b"FREQ", b"1"]
    elif r < 0.3:
        opts.append(g.choice([b"FOO", b"IDLETIME", b"FREQ", b"REPLACE"]))
    return [g.key(), ttl, payload(g)] + opts


FAMILY = Family("dump", [
    Cmd("DUMP", lambda g: [g.key()], weight=2),
    Cmd("RESTORE", restore_args, weight=3),
], weight=0.5, reset=[[b"CONFIG", b"SET", b"sanitize-dump-payload", b"yes"]])
