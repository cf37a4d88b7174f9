"""Stream commands (XADD XRANGE XREVRANGE XLEN XDEL XTRIM XSETID XREAD
XINFO) and the keyspace commands on a key holding a stream, byte for byte
against redis-server 7.0 (real_redis.py), in RESP2 and RESP3: IDs at the
limits, malformed IDs, Redis's errors in its order, MULTI, keyspace events,
WATCH; XREAD BLOCK across connections (served by XADD, `$`, timeouts,
MULTI); a randomized sequence against Redis with its seed printed;
trimming, whose removed entries stay stored below the stream's first.
Consumer groups are in test_resp_stream_groups.py.

IDs generated from the clock (`*`) differ between two servers, so the
compared scripts give explicit IDs (or `ms-*`); `*` is checked on its own.
`~` trimming differs by design (docs/protocols.md): the scripts use it
only where neither server trims.
"""
import random

import pytest

from real_redis import compare_script, fresh_raw, real_redis  # noqa: F401
from resp_raw import RawConn
from test_blocking import compare as compare_blocking
from test_keyspace_events import run_sequence

MAX = "18446744073709551615"

SCRIPT = [
    # XADD: explicit IDs, ms-*, errors.
    ("XADD", "s", "1-1", "f", "v"),
    ("XADD", "s", "1-1", "f", "v"),
    ("XADD", "s", "1-0", "f", "v"),
    ("XADD", "s", "1-*", "a", "1", "b", "2"),
    ("XADD", "s", "2", "f", "v"),
    ("XADD", "s", "2-*", "f", "v"),
    ("XADD", "s", "1-*", "f", "v"),
    ("XADD", "s", "5-3", "f", "v", "g", "w", "h", ""),
    ("XADD", "s", "0-0", "f", "v"),
    ("XADD", "new", "0-0", "f", "v"), ("EXISTS", "new"),
    ("XADD", "new", "0-*", "f", "v"),
    ("XADD", "s", "6-1", "f"),
    ("XADD", "s", "6-1"),
    ("XADD", "s", "6-1", "f", "v", "g"),
    ("XADD", "s", "bad", "f", "v"),
    ("XADD", "s", "-", "f", "v"),
    ("XADD", "s", "+", "f", "v"),
    ("XADD", "s", "-1", "f", "v"),
    ("XADD", "s", "1-", "f", "v"),
    ("XADD", "s", "1-2-3", "f", "v"),
    ("XADD", "s", "18446744073709551616-0", "f", "v"),
    ("XADD", "s", "*-1", "f", "v"),
    ("XADD", "s", "7-a", "f", "v"),
    ("XADD", "s", "", "f", "v"),
    ("XADD", "s", "x" * 200, "f", "v"),
    ("XADD", "s", " 8", "f", "v"),
    ("XADD", "s", "+9-01", "f", "v"),
    ("XADD", "s", "10\x00junk", "f", "v"),
    ("XADD", "s", "NOMKSTREAM", "11-0", "f", "v"),
    ("XADD", "nokey", "NOMKSTREAM", "1-1", "f", "v"), ("EXISTS", "nokey"),
    ("XADD", "nokey", "NOMKSTREAM", "*", "f", "v"),
    ("XADD", "nokey", "NOMKSTREAM", "0-0", "f", "v"),
    ("XADD", "s", "MAXLEN"),
    ("XADD", "s", "MAXLEN", "5"),
    ("XADD", "s", "MAXLEN", "x", "12-0", "f", "v"),
    ("XADD", "s", "MAXLEN", "-1", "12-0", "f", "v"),
    ("XADD", "s", "MAXLEN", "5", "MINID", "1", "12-0", "f", "v"),
    ("XADD", "s", "LIMIT", "5", "12-0", "f", "v"),
    ("XADD", "s", "LIMIT", "0", "12-0", "f", "v"),
    ("XADD", "s", "MAXLEN", "5", "LIMIT", "5", "13-0", "f", "v"),
    ("XADD", "s", "MAXLEN", "=", "5", "LIMIT", "5", "13-0", "f", "v"),
    ("XADD", "s", "MAXLEN", "~", "5", "LIMIT", "-1", "13-0", "f", "v"),
    ("XADD", "s", "MAXLEN", "~", "5", "LIMIT", "x", "13-0", "f", "v"),
    ("XADD", "s", "MINID", "bad", "13-0", "f", "v"),
    ("XADD", "s", "MINID", "-", "13-0", "f", "v"),
    ("XADD", "s", "MAXLEN", "~", "1000", "14-0", "f", "v"),
    ("XADD", "s", "MAXLEN", "~", "1000", "LIMIT", "10", "15-0", "f", "v"),
    ("XLEN", "s"),
    ("XADD", "s", "MAXLEN", "=", "8", "16-0", "f", "v"),
    ("XLEN", "s"), ("XRANGE", "s", "-", "+"),
    ("XADD", "s", "MAXLEN", "5", "17-0", "f", "v"),
    ("XRANGE", "s", "-", "+"),
    ("XADD", "s", "MINID", "=", "15", "18-0", "f", "v"),
    ("XRANGE", "s", "-", "+"),
    ("XADD", "s", "MINID", "16-0", "19-0", "f", "v"),
    ("XADD", "s", "NOMKSTREAM", "MAXLEN", "=", "3", "20-0", "f", "v"),
    ("XRANGE", "s", "-", "+"), ("XLEN", "s"),
    # XRANGE / XREVRANGE.
    ("XADD", "r", "1-0", "a", "1"), ("XADD", "r", "1-5", "b", "2"),
    ("XADD", "r", "2-0", "c", "3"), ("XADD", "r", "3-7", "d", "4"),
    ("XADD", "r", "4-0", "e", "5"),
    ("XRANGE", "r", "-", "+"), ("XREVRANGE", "r", "+", "-"),
    ("XRANGE", "r", "1", "2"), ("XRANGE", "r", "1-5", "3-7"),
    ("XRANGE", "r", "(1-0", "(3-7"), ("XRANGE", "r", "(1", "+"),
    ("XREVRANGE", "r", "(4-0", "(1-5"), ("XREVRANGE", "r", "3", "1"),
    ("XRANGE", "r", "-", "+", "COUNT", "2"),
    ("XREVRANGE", "r", "+", "-", "COUNT", "2"),
    ("XRANGE", "r", "-", "+", "COUNT", "0"),
    ("XRANGE", "r", "-", "+", "COUNT", "-3"),
    ("XRANGE", "r", "-", "+", "COUNT", "9223372036854775807"),
    ("XRANGE", "r", "-", "+", "COUNT", "9223372036854775808"),
    ("XRANGE", "r", "-", "+", "COUNT"),
    ("XRANGE", "r", "-", "+", "COUNT", "1", "COUNT", "3"),
    ("XRANGE", "r", "-", "+", "LIMIT", "1"),
    ("XRANGE", "r", "3", "1"), ("XRANGE", "r", "5", "+"),
    ("XRANGE", "r", "(-", "+"), ("XRANGE", "r", "-", "(+"),
    ("XRANGE", "r", "(", "+"), ("XRANGE", "r", "-", "("),
    ("XRANGE", "r", "(" + MAX + "-" + MAX, "+"),
    ("XRANGE", "r", "-", "(0-0"),
    ("XRANGE", "r", "(0-0", "+", "COUNT", "1"),
    ("XRANGE", "r", MAX + "-" + MAX, "+"),
    ("XRANGE", "r", "x", "+"), ("XRANGE", "r", "-", "y"),
    ("XREVRANGE", "r", "y", "x"),
    ("XRANGE", "nokey", "-", "+"), ("XRANGE", "nokey", "-", "+", "COUNT", "0"),
    ("XRANGE", "nokey", "x", "+"),
    ("XREVRANGE", "nokey", "+", "-"),
    # XDEL.
    ("XDEL", "r", "1-5", "9-9", "1-5"), ("XRANGE", "r", "-", "+"),
    ("XDEL", "r", "bad"), ("XDEL", "r", "2-0", "bad"),
    ("XRANGE", "r", "-", "+"),
    ("XDEL", "r", "-"), ("XDEL", "nokey", "bad"), ("XDEL", "nokey", "1"),
    ("XDEL", "r", "1"),
    ("XINFO", "STREAM", "r"),
    ("XDEL", "r", "2", "3-7", "4"), ("XLEN", "r"), ("EXISTS", "r"),
    ("XINFO", "STREAM", "r"), ("XRANGE", "r", "-", "+"),
    ("XREVRANGE", "r", "+", "-"),
    ("XADD", "r", "4-0", "f", "v"), ("XADD", "r", "4-1", "f", "v"),
    ("XINFO", "STREAM", "r"),
    # XTRIM.
    ("XADD", "t", "1-0", "f", "v"), ("XADD", "t", "2-0", "f", "v"),
    ("XADD", "t", "3-0", "f", "v"), ("XADD", "t", "4-0", "f", "v"),
    ("XADD", "t", "5-0", "f", "v"),
    ("XTRIM", "t"), ("XTRIM", "t", "MAXLEN"), ("XTRIM", "t", "FOO", "1"),
    ("XTRIM", "t", "MAXLEN", "x"), ("XTRIM", "t", "MAXLEN", "-1"),
    ("XTRIM", "t", "MAXLEN", "1", "LIMIT", "1"),
    ("XTRIM", "t", "LIMIT", "1"),
    ("XTRIM", "t", "MAXLEN", "~", "100"),
    ("XTRIM", "t", "MAXLEN", "1", "NOMKSTREAM"),
    ("XTRIM", "t", "MAXLEN", "10"),
    ("XTRIM", "t", "MAXLEN", "4"), ("XRANGE", "t", "-", "+"),
    ("XTRIM", "t", "MAXLEN", "=", "3"),
    ("XTRIM", "t", "MINID", "4"), ("XRANGE", "t", "-", "+"),
    ("XTRIM", "t", "MINID", "=", "(4"),
    ("XTRIM", "t", "MINID", "0"), ("XTRIM", "t", "MINID", "9"),
    ("XLEN", "t"), ("EXISTS", "t"), ("XINFO", "STREAM", "t"),
    ("XTRIM", "nokey", "MAXLEN", "0"), ("XTRIM", "nokey", "MAXLEN", "x"),
    ("XADD", "z", "MAXLEN", "0", "1-0", "f", "v"), ("XLEN", "z"),
    ("XINFO", "STREAM", "z"), ("XRANGE", "z", "-", "+"),
    # XSETID.
    ("XSETID", "z", "0-5"), ("XSETID", "z", "1-0"), ("XSETID", "z", "9-9"),
    ("XINFO", "STREAM", "z"),
    ("XSETID", "z", "10-0", "ENTRIESADDED", "5", "MAXDELETEDID", "9-0"),
    ("XINFO", "STREAM", "z"),
    ("XSETID", "z", "10-0", "MAXDELETEDID", "11-0"),
    ("XSETID", "z", "10-0", "ENTRIESADDED", "-1"),
    ("XSETID", "z", "10-0", "ENTRIESADDED", "x"),
    ("XSETID", "z", "10-0", "ENTRIESADDED"),
    ("XSETID", "z", "10-0", "FOO", "1"),
    ("XSETID", "z", "8-0"),
    ("XSETID", "z", "bad"), ("XSETID", "z", "+"),
    ("XSETID", "nokey", "1-1"), ("XSETID", "nokey", "bad"),
    ("XADD", "z", "10-0", "f", "v"), ("XADD", "z", "10-*", "f", "v"),
    ("XSETID", "z", "10-0"), ("XSETID", "z", "10-1", "ENTRIESADDED", "0"),
    ("XSETID", "z", "10-1", "ENTRIESADDED", "1"),
    ("XINFO", "STREAM", "z"),
    # The last possible ID.
    ("XADD", "m", MAX + "-" + MAX, "f", "v"),
    ("XADD", "m", "*", "f", "v"), ("XADD", "m", MAX + "-*", "f", "v"),
    ("XADD", "m2", MAX + "-*", "f", "v"), ("XADD", "m2", MAX + "-*", "f", "v"),
    ("XADD", "m2", "*", "f", "v"),
    ("XRANGE", "m2", "-", "+"), ("XRANGE", "m2", "(" + MAX, "+"),
    ("XREVRANGE", "m2", "+", "(" + MAX + "-0"),
    # XREAD without BLOCK.
    ("XREAD", "STREAMS", "r", "0"), ("XREAD", "STREAMS", "r", "s", "0", "0"),
    ("XREAD", "COUNT", "1", "STREAMS", "r", "s", "0", "17"),
    ("XREAD", "COUNT", "0", "STREAMS", "r", "0"),
    ("XREAD", "COUNT", "-1", "STREAMS", "r", "0"),
    ("XREAD", "STREAMS", "r", "$"), ("XREAD", "STREAMS", "nokey", "$"),
    ("XREAD", "STREAMS", "nokey", "0"), ("XREAD", "STREAMS", "r", "4-1"),
    ("XREAD", "STREAMS", "r", "s"), ("XREAD", "STREAMS", "r", "s", "0"),
    ("XREAD", "STREAMS", "r", "bad"), ("XREAD", "STREAMS", "r", "-"),
    ("XREAD", "STREAMS", "r", "+"), ("XREAD", "STREAMS", "r", ">"),
    ("XREAD", "COUNT", "x", "STREAMS", "r", "0"),
    ("XREAD", "FOO", "STREAMS", "r", "0"),
    ("XREAD", "COUNT", "1", "r", "0"),
    ("XREAD", "GROUP", "g", "c", "STREAMS", "r", "0"),
    ("XREAD", "NOACK", "STREAMS", "r", "0"),
    ("XREAD", "BLOCK", "x", "STREAMS", "r", "0"),
    ("XREAD", "BLOCK", "-1", "STREAMS", "r", "0"),
    ("XREAD", "BLOCK", "0", "STREAMS", "r", "0"),
    ("XREAD", "BLOCK", "10", "COUNT", "1", "STREAMS", "r", "0"),
    ("XREAD", "STREAMS", "r", "r", "0", "4-0"),
    ("XREAD", "STREAMS", "STREAMS", "0"),
    # XREAD where the last ID has no entry: its entry deleted, or XSETID
    # past it (the last live entry decides).
    ("XADD", "lt", "1-0", "f", "v"), ("XADD", "lt", "2-0", "f", "v"),
    ("XADD", "lt", "3-0", "f", "v"), ("XDEL", "lt", "3-0"),
    ("XREAD", "STREAMS", "lt", "2-0"), ("XREAD", "STREAMS", "lt", "1-5"),
    ("XSETID", "lt", "9-0"), ("XREAD", "STREAMS", "lt", "2-0"),
    ("XREAD", "STREAMS", "lt", "1-9"), ("XADD", "lt", "10-0", "f", "v"),
    ("XREAD", "STREAMS", "lt", "9-0"), ("XDEL", "lt", "10-0", "2-0"),
    ("XREAD", "STREAMS", "lt", "0-1"), ("XREAD", "STREAMS", "lt", "1-0"),
    # XINFO.
    ("XINFO", "STREAM", "s"), ("XINFO", "STREAM", "s", "FULL"),
    ("XINFO", "STREAM", "s", "FULL", "COUNT", "2"),
    ("XINFO", "STREAM", "s", "FULL", "COUNT", "0"),
    ("XINFO", "STREAM", "s", "FULL", "COUNT", "-1"),
    ("XINFO", "STREAM", "s", "FULL", "COUNT", "x"),
    ("XINFO", "STREAM", "s", "FULL", "COUNT"),
    ("XINFO", "STREAM", "s", "COUNT", "2"),
    ("XINFO", "stream", "s", "FOO"),
    ("XINFO", "STREAM", "nokey"), ("XINFO", "GROUPS", "s"),
    ("XINFO", "GROUPS", "nokey"), ("XINFO", "CONSUMERS", "s", "g"),
    ("XINFO", "CONSUMERS", "nokey", "g"), ("XINFO", "HELP"),
    ("XINFO", "FOO"), ("XINFO",), ("XINFO", "STREAM"),
    # The other commands on a stream, and stream commands on other types.
    ("TYPE", "s"), ("OBJECT", "ENCODING", "s"), ("OBJECT", "ENCODING", "z"),
    ("GET", "s"), ("LPUSH", "s", "x"), ("HGET", "s", "f"),
    ("SET", "str", "v"), ("XADD", "str", "1-1", "f", "v"),
    ("XADD", "str", "0-0", "f", "v"), ("XADD", "str", "1-1", "f"),
    ("XRANGE", "str", "-", "+"), ("XRANGE", "str", "x", "+"),
    ("XLEN", "str"), ("XDEL", "str", "bad"), ("XTRIM", "str", "MAXLEN", "0"),
    ("XTRIM", "str", "MAXLEN", "x"), ("XSETID", "str", "1-1"),
    ("XREAD", "STREAMS", "str", "0"), ("XREAD", "STREAMS", "r", "str", "0", "x"),
    ("XINFO", "STREAM", "str"),
    ("COPY", "s", "s2"), ("XRANGE", "s2", "-", "+"), ("XINFO", "STREAM", "s2"),
    ("RENAME", "s2", "s3"), ("XINFO", "STREAM", "s3"), ("EXISTS", "s2"),
    ("EXPIRE", "s3", "100"), ("TTL", "s3"), ("PERSIST", "s3"),
    ("SCAN", "0", "TYPE", "stream", "COUNT", "100"),
    ("DEL", "s3"), ("EXISTS", "s3"), ("UNLINK", "s"), ("XLEN", "s"),
    ("SET", "str", "v"), ("RENAME", "z", "str"), ("TYPE", "str"),
    ("XLEN", "str"),
]

UNORDERED = {("SCAN", "0", "TYPE", "stream", "COUNT", "100")}


def connect(server, real_redis, proto):  # noqa: F811
    return fresh_raw(server.port, proto), fresh_raw(real_redis.port, proto)


def report(bad):
    return "\n".join("%r: shale %r, redis %r" % x for x in bad)


@pytest.mark.parametrize("proto", [2, 3])
def test_stream_commands_match_redis(server, real_redis, proto):  # noqa: F811
    ours, theirs = connect(server, real_redis, proto)
    bad = compare_script(ours, theirs, SCRIPT, UNORDERED)
    assert not bad, report(bad)


@pytest.mark.parametrize("proto", [2, 3])
def test_stream_commands_in_multi_match_redis(server, real_redis,  # noqa: F811
                                              proto):
    """Inside MULTI each command reads the earlier ones' pending writes;
    XREAD BLOCK does not block there (a nil array, as on a timeout)."""
    script = [("MULTI",)] + [s for s in SCRIPT if s not in UNORDERED and
                             s != ("XINFO",) and s != ("XINFO", "STREAM") and
                             s[0] != "SCAN"] + [("EXEC",)]
    ours, theirs = connect(server, real_redis, proto)
    bad = compare_script(ours, theirs, script)
    assert not bad, report(bad)


def test_generated_ids_grow_and_follow_the_clock(r):
    import time
    before = int(time.time() * 1000)
    ids = [r.xadd("s", {"f": i}) for i in range(50)]
    after = int(time.time() * 1000)
    parsed = [tuple(int(x) for x in i.split(b"-")) for i in ids]
    assert parsed == sorted(parsed) and len(set(parsed)) == 50
    assert before <= parsed[0][0] <= parsed[-1][0] <= after + 1
    # A last ID in the future: * increments its sequence.
    r.execute_command("XSETID", "s", "%d-5" % (after + 10**9))
    assert r.xadd("s", {"f": 1}) == b"%d-6" % (after + 10**9)
    assert r.xadd("s", {"f": 1}, id="%d-*" % (after + 10**9)) == \
        b"%d-7" % (after + 10**9)


def test_script_xread_block_is_refused(server, real_redis):  # noqa: F811
    for port in (server.port, real_redis.port):
        c = RawConn(port)
        c.call("FLUSHALL")
        got = c.call("EVAL", "return redis.call('xread','BLOCK','0',"
                     "'STREAMS','s','$')", "0")
        assert got.startswith(b"-ERR xread command is not allowed with BLOCK "
                              b"option from scripts"), got
        got = c.call("EVAL", "return redis.call('xread','STREAMS','s','0')",
                     "0")
        assert got == b"$-1\r\n", got
        c.close()


STREAM_EVENTS = [
    ("XADD", "s", "1-0", "f", "v"), ("XADD", "s", "2-0", "f", "v"),
    ("XADD", "s", "3-0", "f", "v"),
    ("XADD", "s", "1-0", "f", "v"),  # refused: no event
    ("XADD", "s", "MAXLEN", "2", "4-0", "f", "v"),
    ("XADD", "s", "MAXLEN", "5", "5-0", "f", "v"),  # nothing trimmed
    ("XADD", "nokey", "NOMKSTREAM", "1-0", "f", "v"),
    ("XDEL", "s", "9-9"), ("XDEL", "s", "4-0"),
    ("XTRIM", "s", "MAXLEN", "9"), ("XTRIM", "s", "MAXLEN", "1"),
    ("XSETID", "s", "99-0"), ("XSETID", "s", "1-0"),
    ("XRANGE", "nokey", "-", "+"), ("XLEN", "nokey"),
    ("XREAD", "STREAMS", "nokey", "s", "0", "0"),
    ("XINFO", "STREAM", "nokey"),
    ("XADD", "z", "MAXLEN", "0", "1-0", "f", "v"),
    ("EXPIRE", "s", "100"), ("RENAME", "s", "t"), ("COPY", "t", "u"),
    ("DEL", "t"), ("XDEL", "u", "5-0"),
]


@pytest.mark.parametrize("flags", ["KEA", "KEt$gxnm"])
def test_stream_events_match_redis(server, real_redis, flags):  # noqa: F811
    theirs = run_sequence(real_redis.port, flags, STREAM_EVENTS)
    ours = run_sequence(server.port, flags, STREAM_EVENTS)
    assert ours == theirs
    assert len(theirs["events"]) > 20


def test_watch_is_invalidated_by_stream_writes_only(server):
    """A write that changes the stream breaks a WATCH on it; one that
    changes nothing (XDEL of a missing ID, XTRIM that trims nothing, a
    refused XADD) does not, as in Redis."""
    import redis
    c, other = server.redis(), server.redis()
    c.flushall()
    c.xadd("w", {"f": "v"}, id="1-0")
    writes = [
        (lambda: other.xadd("w", {"f": "v"}), True),
        (lambda: other.xdel("w", "9-9"), False),
        (lambda: other.xtrim("w", maxlen=1000), False),
        (lambda: other.execute_command("XADD", "w", "1-0", "f", "v"), False),
        (lambda: other.xtrim("w", maxlen=1), True),
        (lambda: other.execute_command("XSETID", "w", "99999999999999-0"),
         True),
        (lambda: other.xrange("w"), False),
    ]
    for i, (write, breaks) in enumerate(writes):
        with c.pipeline() as p:
            p.watch("w")
            p.multi()
            p.xlen("w")
            try:
                write()
            except redis.ResponseError:
                pass
            if breaks:
                with pytest.raises(redis.WatchError):
                    p.execute()
            else:
                assert p.execute() == [c.xlen("w")], i
    c.close()
    other.close()


def test_random_stream_ops_match_redis(server, real_redis):  # noqa: F811
    """Random XADD (explicit, ms-*, exact trims), XDEL, XTRIM, XRANGE,
    XREVRANGE, XREAD, XLEN and XINFO on a few keys, compared exactly."""
    seed = random.randrange(1 << 30)
    print("seed", seed)
    rng = random.Random(seed)
    ours, theirs = connect(server, real_redis, rng.choice([2, 3]))
    keys = ["k1", "k2", "k3"]

    def some_id():
        ms = str(rng.randrange(0, 30))
        return rng.choice([ms, ms + "-" + str(rng.randrange(0, 4)),
                           "(" + ms, "-", "+", ms + "-*"])

    for _ in range(600):
        k = rng.choice(keys)
        op = rng.randrange(10)
        if op < 4:
            trim = rng.choice([[], ["MAXLEN", str(rng.randrange(0, 6))],
                               ["MAXLEN", "=", str(rng.randrange(0, 6))],
                               ["MINID", str(rng.randrange(0, 30))]])
            idarg = rng.choice([str(rng.randrange(0, 30)) + "-*",
                                "%d-%d" % (rng.randrange(0, 30),
                                           rng.randrange(0, 4))])
            step = ("XADD", k, *trim, idarg, "f", str(rng.randrange(100)))
        elif op == 4:
            step = ("XDEL", k, *("%d-%d" % (rng.randrange(0, 30),
                                            rng.randrange(0, 4))
                                 for _ in range(rng.randrange(1, 4))))
        elif op == 5:
            step = ("XTRIM", k, *rng.choice(
                [["MAXLEN", str(rng.randrange(0, 6))],
                 ["MINID", str(rng.randrange(0, 30))]]))
        elif op == 6:
            a, b = some_id(), some_id()
            cmd = rng.choice(["XRANGE", "XREVRANGE"])
            count = rng.choice([[], ["COUNT", str(rng.randrange(-1, 4))]])
            step = (cmd, k, a, b, *count)
        elif op == 7:
            step = ("XREAD", *rng.choice([[], ["COUNT", "2"]]), "STREAMS",
                    k, rng.choice(keys), rng.choice(["0", "$", "5", "10-1"]),
                    rng.choice(["0", "$", "5", "10-1"]))
        elif op == 8:
            step = ("XINFO", "STREAM", k)
        else:
            step = ("XLEN", k)
        a, b = ours.call(*step), theirs.call(*step)
        assert a == b, "seed %d: %r: shale %r, redis %r" % (seed, step, a, b)


# --- XREAD BLOCK across connections (test_blocking.py's harness) ----------

def test_xread_block_served_by_xadd(server, real_redis):  # noqa: F811
    compare_blocking(server, real_redis, [
        ("call", "w", "XADD", "s", "1-0", "f", "v"),
        # Served at once: there is an entry after 0.
        ("call", "a", "XREAD", "BLOCK", "0", "STREAMS", "s", "0"),
        # `$`: only what comes after the block.
        ("block", "a", "XREAD", "BLOCK", "0", "STREAMS", "s", "$"),
        ("block", "b", "XREAD", "BLOCK", "0", "COUNT", "1", "STREAMS",
         "nokey", "s", "$", "1-0"),
        ("block", "c", "XREAD", "BLOCK", "0", "STREAMS", "nokey", "$"),
        # One XADD serves every reader of the key: nobody consumes.
        ("call", "w", "XADD", "s", "2-0", "f", "v2"),
        ("reply", "a"), ("reply", "b"),
        ("call", "w", "XADD", "nokey", "1-1", "g", "w"),
        ("reply", "c"),
        # Several entries in one MULTI: all of them, up to COUNT.
        ("block", "a", "XREAD", "BLOCK", "0", "STREAMS", "s", "$"),
        ("block", "b", "XREAD", "BLOCK", "0", "COUNT", "1", "STREAMS", "s",
         "$"),
        ("call", "w", "MULTI"),
        ("call", "w", "XADD", "s", "3-0", "f", "v3"),
        ("call", "w", "XADD", "s", "4-0", "f", "v4"),
        ("call", "w", "EXEC"),
        ("reply", "a"), ("reply", "b"),
        # An XADD that trims its own entry away still wakes (empty list).
        ("block", "a", "XREAD", "BLOCK", "0", "STREAMS", "s", "$"),
        ("call", "w", "XADD", "s", "MAXLEN", "0", "5-0", "f", "v"),
        ("reply", "a"),
        # Writes that are not XADD do not serve (XDEL, XTRIM, a refused
        # XADD); XSETID does not either: nothing new past the ID.
        ("block", "a", "XREAD", "BLOCK", "0", "STREAMS", "s", "$"),
        ("call", "w", "XADD", "s", "1-0", "f", "v"),
        ("call", "w", "XDEL", "s", "4-0"),
        ("call", "w", "XTRIM", "s", "MAXLEN", "0"),
        ("call", "w", "XSETID", "s", "10-0"),
        ("call", "w", "EXPIRE", "s", "1000"),
        ("call", "w", "XADD", "s", "11-0", "f", "v"),
        ("reply", "a"),
        # A stream renamed onto the waited key serves it.
        ("block", "a", "XREAD", "BLOCK", "0", "STREAMS", "s", "$"),
        ("call", "w", "XADD", "other", "20-0", "f", "v"),
        ("call", "w", "RENAME", "other", "s"),
        ("reply", "a"),
        # Inside MULTI: a nil array at once.
        ("call", "m", "MULTI"),
        ("call", "m", "XREAD", "BLOCK", "0", "STREAMS", "s", "$"),
        ("call", "m", "EXEC"),
        # Timeouts.
        ("call", "t", "XREAD", "BLOCK", "1", "STREAMS", "s", "$"),
        ("call", "t", "XREAD", "BLOCK", "5", "STREAMS", "nokey2", "0"),
    ])


def test_xread_block_wrong_type_and_unblock(server, real_redis):  # noqa: F811
    compare_blocking(server, real_redis, [
        ("block", "a", "XREAD", "BLOCK", "0", "STREAMS", "k", "$"),
        # A list pushed onto the waited key does not serve it.
        ("call", "w", "LPUSH", "k", "x"),
        ("call", "w", "DEL", "k"),
        ("call", "w", "XADD", "k", "1-0", "f", "v"),
        ("reply", "a"),
        ("block", "a", "XREAD", "BLOCK", "0", "STREAMS", "k", "$"),
        ("call", "w", "CLIENT", "UNBLOCK", "9999"),
        ("close", "a"),
        ("call", "w", "XADD", "k", "2-0", "f", "v"),
        ("call", "w", "XLEN", "k"),
    ])


def test_xread_block_across_io_threads(server):
    """Writers on other connections (other I/O threads) wake readers; every
    reader sees every entry exactly once with `$` chained from its last."""
    import threading
    import redis
    n_readers, n_entries = 4, 200
    c = server.redis()
    c.flushall()
    got = [[] for _ in range(n_readers)]

    def reader(i):
        r = server.redis()
        last = "0-0"
        while len(got[i]) < n_entries:
            res = r.xread({"q": last}, block=0, count=7)
            for _, entries in res:
                for eid, _ in entries:
                    got[i].append(eid)
                    last = eid
        r.close()

    ts = [threading.Thread(target=reader, args=(i,))
          for i in range(n_readers)]
    for t in ts:
        t.start()
    w = server.redis()
    for j in range(n_entries):
        w.xadd("q", {"n": j})
    for t in ts:
        t.join(30)
        assert not t.is_alive()
    want = [eid for eid, _ in c.xrange("q")]
    assert all(g == want for g in got)
    assert isinstance(redis.__version__, str)
    w.close()
    c.close()


def test_big_stream_ranges_and_trims_seek(r):
    """A stream of 20000 entries: ranges from the middle and both ends,
    exclusive bounds, trimming in steps, XLEN and XINFO after each."""
    ids = ["%d-%d" % (i // 3 + 1, i % 3) for i in range(20000)]
    p = r.pipeline(transaction=False)
    for i, eid in enumerate(ids):
        p.execute_command("XADD", "big", eid, "i", i)
    p.execute()
    assert r.xlen("big") == 20000
    mid = r.xrange("big", "3000-1", "+", count=2)
    assert [e[0] for e in mid] == [b"3000-1", b"3000-2"]
    assert r.xrevrange("big", "+", "-", count=1)[0][0] == ids[-1].encode()
    assert r.xrevrange("big", "(3000-1", "-", count=1)[0][0] == b"3000-0"
    assert r.xrange("big", "(6666-0", "+")[0][0] == b"6666-1"
    assert r.xtrim("big", maxlen=15000) == 5000
    assert r.xrange("big", "-", "+", count=1)[0][0] == ids[5000].encode()
    cut = ids.index("5000-0")
    assert r.xtrim("big", minid="5000-0") == cut - 5000
    info = r.xinfo_stream("big")
    assert info["length"] == 20000 - cut
    assert info["first-entry"][0] == b"5000-0"
    assert info["recorded-first-entry-id"] == b"5000-0"
    assert r.xtrim("big", maxlen=0) == 20000 - cut
    assert r.xlen("big") == 0 and r.exists("big") == 1
    assert r.xrange("big") == []


def test_pipelined_xsetid_after_xadd_does_not_serve(server,  # noqa: F811
                                                    real_redis):
    """A pipeline joins one transaction on shale: XADD marks its key ready
    for the XREAD waiters, and only for the waiters served right after it;
    an XSETID later in the same pipeline moves the last ID past the
    waiter's but serves nobody, as in Redis (only XADD signals)."""
    from test_blocking import wait_blocked
    for port in (server.port, real_redis.port):
        ctl, reader, writer = RawConn(port), RawConn(port), RawConn(port)
        ctl.call("FLUSHALL")
        reader.send("XREAD", "BLOCK", "0", "STREAMS", "s", "100-0")
        wait_blocked(ctl, 1)
        writer.sock.sendall(
            b"*5\r\n$4\r\nXADD\r\n$1\r\ns\r\n$3\r\n5-0\r\n$1\r\nf\r\n$1\r\nv\r\n"
            b"*3\r\n$6\r\nXSETID\r\n$1\r\ns\r\n$5\r\n200-0\r\n")
        assert writer.reply() == b"$3\r\n5-0\r\n"
        assert writer.reply() == b"+OK\r\n"
        # Still blocked: the next XADD is what it gets.
        assert writer.call("XADD", "s", "300-0", "f", "w") == \
            b"$5\r\n300-0\r\n"
        got = reader.reply()
        assert b"300-0" in got and b"5-0" not in got, (port, got)
        for c in (ctl, reader, writer):
            c.close()


def _adds(key, ms, seqs):
    return [("XADD", key, f"{ms}-{s}", "f", f"v{s}") for s in seqs]


# Trimming moves the stream's first entry and deletes nothing (stream.h):
# every read must still end at the trimmed entries, whichever way it walks,
# and they must not come back when the stream empties and grows again.
TRIM_SCRIPT = (
    _adds("t", 1, range(1, 11)) + [
        ("XGROUP", "CREATE", "t", "g", "0"),
        ("XREADGROUP", "GROUP", "g", "c", "COUNT", "4", "STREAMS", "t", ">"),
        ("XTRIM", "t", "MAXLEN", "3"),  # walks back from the last
        ("XLEN", "t"), ("XRANGE", "t", "-", "+"), ("XREVRANGE", "t", "+", "-"),
        ("XREVRANGE", "t", "1-5", "-"), ("XRANGE", "t", "-", "1-7"),
        ("XDEL", "t", "1-2"), ("XLEN", "t"),
        ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "t", "0"),
        ("XCLAIM", "t", "g", "d", "0", "1-1", "1-8"),
        ("XAUTOCLAIM", "t", "g", "d", "0", "0"),
        ("XPENDING", "t", "g"),
        ("XINFO", "STREAM", "t"),
        ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "t", ">"),
        ("XTRIM", "t", "MINID", "1-10"),  # walks forward
        ("XRANGE", "t", "-", "+"), ("XREVRANGE", "t", "+", "-"),
        ("XTRIM", "t", "MAXLEN", "0"),  # no walk
        ("XLEN", "t"), ("XRANGE", "t", "-", "+"), ("XREVRANGE", "t", "+", "-"),
        ("XDEL", "t", "1-10"), ("XINFO", "STREAM", "t"),
        ("XREAD", "STREAMS", "t", "0"),
        # Emptied, then its last ID lowered: the old entries above the new
        # last must not reappear among the new ones.
        ("XSETID", "t", "1-3"),
        ("XADD", "t", "1-5", "f", "new5"), ("XADD", "t", "1-12", "f", "new12"),
        ("XLEN", "t"), ("XRANGE", "t", "-", "+"), ("XREVRANGE", "t", "+", "-"),
        ("XINFO", "STREAM", "t"),
        ("XTRIM", "t", "MAXLEN", "1"), ("XRANGE", "t", "-", "+"),
    ] + _adds("u", 2, range(1, 21)) + [
        ("XTRIM", "u", "MAXLEN", "15"),  # walks forward over 5
        ("COPY", "u", "u2"), ("XRANGE", "u2", "-", "+"),
        ("XREVRANGE", "u2", "+", "-", "COUNT", "20"),
        ("RENAME", "u2", "u3"), ("XLEN", "u3"), ("XRANGE", "u3", "-", "2-8"),
        ("XADD", "u", "MAXLEN", "2", "3-1", "f", "v"),
        ("XRANGE", "u", "-", "+"), ("XREVRANGE", "u", "+", "-"),
        ("XINFO", "STREAM", "u"),
    ])


@pytest.mark.parametrize("proto", [2, 3])
def test_trimmed_entries_stay_gone_match_redis(server, real_redis,  # noqa: F811
                                               proto):
    ours, theirs = connect(server, real_redis, proto)
    bad = compare_script(ours, theirs, TRIM_SCRIPT)
    assert not bad, report(bad)


def test_trimmed_stream_dump_restores_only_its_entries(r):
    for i in range(1, 11):
        r.xadd("d", {"f": i}, id=f"1-{i}")
    assert r.xtrim("d", maxlen=4, approximate=False) == 6
    payload = r.dump("d")
    r.restore("d2", 0, payload)
    assert [i for i, _ in r.xrange("d2")] == [f"1-{i}".encode()
                                             for i in range(7, 11)]
    assert r.xinfo_stream("d2")["first-entry"][0] == b"1-7"
