"""Record what an application sends to redis-server (its MONITOR feed) and
replay it, client by client, to two servers, to compare their replies.

An application test run against redis-server gives the exact commands and
scripts the application uses, in the order redis-server ran them. Replayed
on one connection per original client to a fresh redis-server and to
shale-server, each command meets the same data on both, so the replies
must match (compare_replays says how exactly). Commands run inside scripts
are in the feed too (client "lua") and are not replayed: the script is.

Blocking commands are replayed with a 1 ms timeout (0.001 s, what BullMQ
sends when a delayed job is about due; XREAD's BLOCK 1): the feed shows
when a command was called, not when it was served, so a replay must never
wait for a client that will not come. What a script computes from the
clock (TIME, keys expiring mid-replay, such as a rate limiter's) can
differ between two replays: the application recorded must not depend on
it.
"""
import re

from resp_raw import RawConn

END = "monitor-replay-end"
_ESC = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("a"): b"\a",
        ord("b"): b"\b", ord("\\"): b"\\", ord('"'): b'"'}
_LINE = re.compile(rb"^\+\d+\.\d+ \[\d+ ([^\]]+)\] (.*)\r\n$", re.S)
# Replies that name connections, clocks or the server: not comparable.
UNCOMPARED = {b"INFO", b"CLIENT", b"TIME", b"HELLO", b"MONITOR"}
NOT_REPLAYED = {b"MONITOR", b"QUIT", b"SUBSCRIBE", b"PSUBSCRIBE",
                b"SSUBSCRIBE", b"RESET"}
# Blocking commands: where their timeout is (an index or "last").
BLOCKING = {b"BLPOP": -1, b"BRPOP": -1, b"BRPOPLPUSH": -1, b"BLMOVE": -1,
            b"BZPOPMIN": -1, b"BZPOPMAX": -1, b"BLMPOP": 1, b"BZMPOP": 1}
STREAM_ID = re.compile(rb"\b\d{13}-\d+\b")


class Recorder:
    """MONITOR on port from construction until stop()."""

    def __init__(self, port):
        self.port = port
        self.conn = RawConn(port, timeout=30)
        assert self.conn.call("MONITOR") == b"+OK\r\n"

    def stop(self):
        """Returns the feed as (client, args) tuples, up to a sentinel
        ECHO sent now (so nothing is waited for by time)."""
        marker = RawConn(self.port)
        marker.call("ECHO", END)
        marker.close()
        feed = []
        while True:
            line = self.conn.reply()
            parsed = parse_line(line)
            if parsed is None:
                raise ValueError("unexpected MONITOR line %r" % line[:200])
            if parsed[1] == [b"ECHO", END.encode()]:
                break
            feed.append(parsed)
        self.conn.close()
        return feed


def parse_line(line):
    """(client, [args]) of one MONITOR line (`+ts [db client] "a" "b"`),
    arguments unquoted as redis-server quotes them (sdscatrepr)."""
    m = _LINE.match(line)
    if not m:
        return None
    client, rest = m.group(1), m.group(2)
    args, i = [], 0
    while i < len(rest):
        if rest[i] == 0x20:
            i += 1
            continue
        if rest[i] != 0x22:
            return None
        i += 1
        cur = bytearray()
        while rest[i] != 0x22:
            if rest[i] == 0x5C:
                nxt = rest[i + 1]
                if nxt == ord("x"):
                    cur.append(int(rest[i + 2:i + 4], 16))
                    i += 4
                    continue
                cur += _ESC[nxt]
                i += 2
                continue
            cur.append(rest[i])
            i += 1
        args.append(bytes(cur))
        i += 1
    return client, args


def replay(feed, port):
    """Sends the feed to port, one connection per original client; returns
    [(args, reply bytes)] of the replayed commands, in order."""
    conns, out = {}, []
    try:
        for client, args in feed:
            name = args[0].upper()
            if client == b"lua" or name in NOT_REPLAYED:
                continue
            sent = list(args)
            if name in BLOCKING:
                sent[BLOCKING[name]] = b"0.001"
            elif name in (b"XREAD", b"XREADGROUP"):
                for k in range(1, len(sent) - 1):
                    if sent[k].upper() == b"BLOCK":
                        sent[k + 1] = b"1"
            conn = conns.get(client)
            if conn is None:
                conn = conns[client] = RawConn(port, timeout=20)
            try:
                out.append((args, conn.call(*sent)))
            except OSError as e:
                raise AssertionError("port %d: no reply to %r (%s)" % (
                    port, [a[:80] for a in sent[:8]], e)) from e
    finally:
        for conn in conns.values():
            conn.close()
    return out


def _parse(b, i=0):
    """One RESP2 reply at b[i:] as bytes/list/None; (value, next offset).
    Status, error and integer replies keep their type byte."""
    end = b.index(b"\r\n", i)
    t, head, nxt = b[i:i + 1], b[i + 1:end], end + 2
    if t in (b"+", b"-", b":"):
        return t + head, nxt
    n = int(head)
    if n < 0:
        return None, nxt
    if t == b"$":
        return b[nxt:nxt + n], nxt + n + 2
    items = []
    for _ in range(n):
        v, nxt = _parse(b, nxt)
        items.append(v)
    return items, nxt


def _same(ours, theirs, hashes):
    """ours equals theirs, stream IDs aside (each replay makes its own).
    With hashes, a flat list of an even number of strings may also be a
    hash's fields and values (HGETALL, or a script returning one): equal
    if both hold the same pairs, each field once, in any order (shale
    answers in byte order of the fields, docs/protocols.md; redis-server
    in insertion order, or hash-table order once the hash is large)."""
    if isinstance(ours, bytes) and isinstance(theirs, bytes):
        return STREAM_ID.sub(b"<id>", ours) == STREAM_ID.sub(b"<id>", theirs)
    if not (isinstance(ours, list) and isinstance(theirs, list)):
        return ours == theirs
    if len(ours) != len(theirs):
        return False
    if all(_same(a, b, hashes) for a, b in zip(ours, theirs)):
        return True
    if not hashes or len(ours) % 2 or not all(
            isinstance(x, bytes) for x in ours + theirs):
        return False
    a = sorted(zip(ours[::2], ours[1::2]))
    b = sorted(zip(theirs[::2], theirs[1::2]))
    return (len({f for f, _ in a}) == len(a) and
            _same([x for p in a for x in p], [x for p in b for x in p],
                  False))


def compare_replays(ours, theirs):
    """The replayed commands whose replies differ: [(args, ours, theirs)].
    Replies of UNCOMPARED commands are skipped."""
    bad = []
    for (args, a), (_, b) in zip(ours, theirs):
        name = args[0].upper()
        if name in UNCOMPARED:
            continue
        hashes = name in (b"HGETALL", b"EVAL", b"EVALSHA", b"EVAL_RO",
                          b"EVALSHA_RO", b"FCALL", b"FCALL_RO")
        if not _same(_parse(a)[0], _parse(b)[0], hashes):
            bad.append((args, a, b))
    return bad
