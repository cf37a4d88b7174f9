"""Consumer groups (XGROUP XREADGROUP XACK XPENDING XCLAIM XAUTOCLAIM
XINFO GROUPS/CONSUMERS) byte for byte against redis-server 7.0
(real_redis.py), in RESP2 and RESP3: Redis's errors in its order,
time-dependent replies, XREADGROUP BLOCK across connections, keyspace
events, and that group commands touch no WATCH. The stream commands
themselves are in test_resp_streams.py.
"""
import pytest

from real_redis import compare_script, real_redis  # noqa: F401
from test_blocking import compare as compare_blocking
from test_keyspace_events import run_sequence
from test_resp_streams import MAX, connect, report

# --- consumer groups -------------------------------------------------------

GROUP_SCRIPT = [
    ("XGROUP", "CREATE", "nokey", "g", "0"),
    ("XGROUP", "CREATE", "nokey", "g", "bad"),
    ("XGROUP", "CREATE", "nokey", "g", "$", "MKSTREAM"), ("TYPE", "nokey"),
    ("XLEN", "nokey"), ("XINFO", "STREAM", "nokey"),
    ("XGROUP", "CREATE", "nokey", "g", "$", "MKSTREAM"),
    ("XGROUP", "CREATE", "e", "g", "0", "MKSTREAM", "ENTRIESREAD", "-2"),
    ("XGROUP", "CREATE", "e", "g", "0", "MKSTREAM", "ENTRIESREAD", "x"),
    ("XGROUP", "CREATE", "e", "g", "0", "MKSTREAM", "FOO"),
    ("XGROUP", "CREATE", "e", "g", "0", "MKSTREAM", "ENTRIESREAD"),
    ("EXISTS", "e"),
    ("XGROUP", "CREATE", "e", "g", "x", "MKSTREAM"), ("EXISTS", "e"),
    ("XADD", "s", "1-0", "a", "1"), ("XADD", "s", "2-0", "b", "2"),
    ("XADD", "s", "3-0", "c", "3"), ("XADD", "s", "4-0", "d", "4"),
    ("XGROUP", "CREATE", "s", "g", "0"),
    ("XGROUP", "CREATE", "s", "g", "0"),
    ("XGROUP", "CREATE", "s", "g2", "$", "ENTRIESREAD", "4"),
    ("XGROUP", "CREATE", "s", "g3", "2-0", "MKSTREAM", "ENTRIESREAD", "-1"),
    ("XGROUP", "CREATE", "s", "g4", "-"), ("XGROUP", "CREATE", "s", "g4", "+"),
    ("XGROUP", "CREATE", "s"), ("XGROUP", "FOO", "s", "g"), ("XGROUP",),
    ("XGROUP", "HELP"),
    ("XINFO", "GROUPS", "s"),
    ("XGROUP", "CREATECONSUMER", "s", "g", "c1"),
    ("XGROUP", "CREATECONSUMER", "s", "g", "c1"),
    ("XGROUP", "CREATECONSUMER", "s", "nog", "c1"),
    ("XGROUP", "CREATECONSUMER", "nokey2", "g", "c1"),
    ("XGROUP", "DELCONSUMER", "s", "g", "nobody"),
    ("XGROUP", "DELCONSUMER", "s", "nog", "c1"),
    ("XGROUP", "SETID", "s", "nog", "0"),
    ("XGROUP", "SETID", "s", "g", "bad"),
    ("XGROUP", "SETID", "s", "g", "0", "ENTRIESREAD"),
    ("XGROUP", "SETID", "s", "g", "0", "FOO", "1"),
    ("XGROUP", "SETID", "s", "g", "0", "ENTRIESREAD", "-5"),
    ("XGROUP", "SETID", "s", "g", "-"),
    ("XGROUP", "SETID", "s", "g", "0", "ENTRIESREAD", "0"),
    ("XINFO", "GROUPS", "s"),
    # XREADGROUP: new entries, history, NOACK, errors.
    ("XREADGROUP", "GROUP", "g", "c1", "COUNT", "1", "STREAMS", "s", ">"),
    ("XREADGROUP", "GROUP", "g", "c2", "COUNT", "2", "STREAMS", "s", ">"),
    ("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", "0"),
    ("XREADGROUP", "GROUP", "g", "c2", "STREAMS", "s", "0"),
    ("XREADGROUP", "GROUP", "g", "c2", "COUNT", "1", "STREAMS", "s", "2-0"),
    ("XREADGROUP", "GROUP", "g", "c3", "STREAMS", "s", "0"),
    ("XREADGROUP", "GROUP", "g", "c3", "NOACK", "STREAMS", "s", ">"),
    ("XADD", "s", "90-1", "f", "v"), ("XADD", "s", "90-2", "f", "v"),
    ("XREADGROUP", "GROUP", "g", "c3", "COUNT", "1", "NOACK", "STREAMS", "s",
     ">"),
    ("XREADGROUP", "GROUP", "g", "c3", "STREAMS", "s", ">"),
    ("XREADGROUP", "GROUP", "g", "c3", "STREAMS", "s", "0"),
    ("XREADGROUP", "GROUP", "nog", "c", "STREAMS", "s", ">"),
    ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "nokey3", ">"),
    ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "$"),
    ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "bad"),
    ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s"),
    ("XREADGROUP", "STREAMS", "s", ">"),
    ("XREADGROUP", "COUNT", "1", "STREAMS", "s", ">", "x"),
    ("XREADGROUP", "GROUP", "g", "STREAMS", "s", ">"),
    ("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", "0"),
    ("XREAD", "STREAMS", "s", ">"),
    # A key named twice shares its group; a last entry deleted or passed
    # by XSETID delivers nothing new.
    ("XADD", "tw", "1-0", "f", "v"), ("XADD", "tw", "2-0", "f", "v"),
    ("XGROUP", "CREATE", "tw", "g", "0"),
    ("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "tw", "tw",
     ">", ">"),
    ("XDEL", "tw", "2-0"),
    ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "tw", ">"),
    ("XSETID", "tw", "5-0"),
    ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "tw", ">"),
    ("XADD", "tw", "6-0", "f", "v"),
    ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "tw", "tw", ">", "0"),
    ("XPENDING", "s", "g"), ("XPENDING", "s", "g2"), ("XPENDING", "s", "nog"),
    ("XPENDING", "nokey4", "g"), ("XPENDING", "s", "g", "-", "+"),
    ("XPENDING", "s", "g", "-", "+", "x"),
    ("XPENDING", "s", "g", "x", "+", "1"),
    ("XPENDING", "s", "g", "IDLE", "x", "-", "+", "1"),
    ("XPENDING", "s", "g", "IDLE", "1", "-", "+"),
    ("XPENDING", "s", "g", "IDLE", "99999999", "-", "+", "10"),
    ("XPENDING", "s", "g", "-", "+", "0"),
    ("XPENDING", "s", "g", "-", "+", "10", "nobody"),
    ("XPENDING", "s", "g", "(" + MAX + "-" + MAX, "+", "1"),
    ("XINFO", "GROUPS", "s"),
    # XACK.
    ("XACK", "s", "g", "1-0", "1-0", "9-9"), ("XACK", "s", "g", "bad"),
    ("XACK", "s", "g", "2-0", "bad"), ("XACK", "s", "nog", "bad"),
    ("XACK", "nokey5", "g", "bad"), ("XPENDING", "s", "g"),
    ("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", "0"),
    # Deleted entries stay pending: history shows them as nil.
    ("XDEL", "s", "2-0"),
    ("XREADGROUP", "GROUP", "g", "c2", "STREAMS", "s", "0"),
    ("XINFO", "GROUPS", "s"), ("XINFO", "STREAM", "s"),
    ("XADD", "s", "5-0", "e", "5"),
    ("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", ">"),
    ("XINFO", "GROUPS", "s"),
    ("XGROUP", "SETID", "s", "g", "0"),
    ("XREADGROUP", "GROUP", "g", "c9", "STREAMS", "s", ">"),
    ("XPENDING", "s", "g"), ("XINFO", "GROUPS", "s"),
    ("XGROUP", "DELCONSUMER", "s", "g", "c9"), ("XPENDING", "s", "g"),
    ("XGROUP", "DESTROY", "s", "g"), ("XGROUP", "DESTROY", "s", "g"),
    ("XGROUP", "DESTROY", "nokey6", "g"),
    ("XINFO", "GROUPS", "s"), ("XINFO", "STREAM", "s"),
    ("XGROUP", "CREATE", "s", "g", "0"),
    ("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", "0"),
    ("XPENDING", "s", "g"),
    # Several streams at once; WRONGTYPE.
    ("XADD", "t", "1-0", "f", "v"), ("XGROUP", "CREATE", "t", "g", "0"),
    ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "t", ">", ">"),
    ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "t", "0", ">"),
    ("SET", "str", "v"), ("XGROUP", "CREATE", "str", "g", "0"),
    ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "str", ">"),
    ("XACK", "str", "g", "1-0"), ("XPENDING", "str", "g"),
    ("XINFO", "GROUPS", "str"), ("XINFO", "CONSUMERS", "str", "g"),
    ("XINFO", "CONSUMERS", "s", "nog"),
    # Copies keep the groups.
    ("COPY", "s", "s2"), ("XPENDING", "s2", "g"), ("XINFO", "GROUPS", "s2"),
    ("RENAME", "s2", "s3"), ("XPENDING", "s3", "g"),
]


@pytest.mark.parametrize("proto", [2, 3])
def test_group_commands_match_redis(server, real_redis, proto):  # noqa: F811
    ours, theirs = connect(server, real_redis, proto)
    bad = compare_script(ours, theirs, GROUP_SCRIPT)
    assert not bad, report(bad)


def test_time_dependent_group_replies(server, real_redis):  # noqa: F811
    """XPENDING's extended form, XINFO CONSUMERS and XINFO STREAM FULL carry
    times (idle, delivery and seen times): the same shape and values as
    Redis's but for the times, which are checked against the clock."""
    import time
    out = {}
    for name, port in (("shale", server.port), ("redis", real_redis.port)):
        c = server.redis() if name == "shale" else real_redis.redis()
        for cb in ("XINFO STREAM", "XINFO CONSUMERS", "XPENDING"):
            c.response_callbacks.pop(cb, None)
        c.flushall()
        for i in range(1, 6):
            c.xadd("s", {"f": i}, id="%d-0" % i)
        c.xgroup_create("s", "g", "0")
        c.xgroup_create("s", "h", "$")
        c.xreadgroup("g", "c1", {"s": ">"}, count=2)
        c.xreadgroup("g", "c2", {"s": ">"}, count=1)
        c.xreadgroup("g", "c1", {"s": "0"})
        c.xack("s", "g", "2-0")
        before = int(time.time() * 1000)
        ext = c.execute_command("XPENDING", "s", "g", "-", "+", "10")
        cons = c.execute_command("XPENDING", "s", "g", "-", "+", "10", "c1")
        idle = c.execute_command("XPENDING", "s", "g", "IDLE", "0", "-",
                                 "+", "1")
        info = c.execute_command("XINFO", "CONSUMERS", "s", "g")
        full = c.execute_command("XINFO", "STREAM", "s", "FULL", "COUNT", "1")
        after = int(time.time() * 1000)
        for e in ext + cons + idle:
            assert 0 <= e[2] < 5000
            e[2] = 0
        for i in range(0, len(info)):
            assert 0 <= info[i][5] < 5000
            info[i][5] = 0
        groups = full[-1]
        for g in groups:
            for p in g[11]:
                assert before - 5000 <= p[2] <= after
                p[2] = 0
            for con in g[13]:
                assert before - 5000 <= con[3] <= after
                con[3] = 0
                for p in con[7]:
                    p[1] = 0
        out[name] = (ext, cons, idle, info, full)
        c.close()
    assert out["shale"] == out["redis"]
    assert out["redis"][0][0][1] == b"c1" and out["redis"][0][0][3] == 2


def test_xreadgroup_block(server, real_redis):  # noqa: F811
    compare_blocking(server, real_redis, [
        ("call", "w", "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"),
        ("block", "a", "XREADGROUP", "GROUP", "g", "ca", "BLOCK", "0",
         "STREAMS", "s", ">"),
        ("block", "b", "XREADGROUP", "GROUP", "g", "cb", "BLOCK", "0",
         "COUNT", "1", "STREAMS", "s", ">"),
        ("block", "r", "XREAD", "BLOCK", "0", "STREAMS", "s", "$"),
        # One entry: the first group waiter takes it, the XREAD sees it
        # too; the second group waiter stays blocked.
        ("call", "w", "XADD", "s", "1-0", "f", "v"),
        ("reply", "a"), ("reply", "r"),
        ("call", "w", "XADD", "s", "2-0", "f", "v"),
        ("reply", "b"),
        ("call", "w", "XPENDING", "s", "g"),
        # NOACK from a block: nothing pending.
        ("block", "a", "XREADGROUP", "GROUP", "g", "ca", "BLOCK", "0",
         "NOACK", "STREAMS", "s", ">"),
        ("call", "w", "XADD", "s", "3-0", "f", "v"),
        ("reply", "a"),
        ("call", "w", "XPENDING", "s", "g"),
        # History IDs never block.
        ("call", "a", "XREADGROUP", "GROUP", "g", "ca", "BLOCK", "0",
         "STREAMS", "s", "0"),
        # The group destroyed under a waiter: its error.
        ("block", "a", "XREADGROUP", "GROUP", "g", "ca", "BLOCK", "0",
         "STREAMS", "s", ">"),
        ("call", "w", "XGROUP", "DESTROY", "s", "g"),
        ("reply", "a"),
        # Timeout and MULTI.
        ("call", "w", "XGROUP", "CREATE", "s", "g", "$"),
        ("call", "t", "XREADGROUP", "GROUP", "g", "ct", "BLOCK", "1",
         "STREAMS", "s", ">"),
        ("call", "m", "MULTI"),
        ("call", "m", "XREADGROUP", "GROUP", "g", "cm", "BLOCK", "0",
         "STREAMS", "s", ">"),
        ("call", "m", "EXEC"),
        ("call", "w", "XINFO", "GROUPS", "s"),
    ])


GROUP_EVENTS = [
    ("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"),
    ("XGROUP", "CREATE", "s", "g", "$"),
    ("XADD", "s", "1-0", "f", "v"),
    ("XGROUP", "CREATECONSUMER", "s", "g", "c0"),
    ("XGROUP", "CREATECONSUMER", "s", "g", "c0"),
    ("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", ">"),
    ("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", "0"),
    ("XACK", "s", "g", "1-0"), ("XACK", "nokey", "g", "1-0"),
    ("XPENDING", "nokey", "g"), ("XINFO", "GROUPS", "nokey"),
    ("XGROUP", "SETID", "s", "g", "0"),
    ("XGROUP", "DELCONSUMER", "s", "g", "c1"),
    ("XGROUP", "DELCONSUMER", "s", "g", "nobody"),
    ("XGROUP", "DESTROY", "s", "g"), ("XGROUP", "DESTROY", "s", "g"),
]


@pytest.mark.parametrize("flags", ["KEA", "KEt$gxnm"])
def test_group_events_match_redis(server, real_redis, flags):  # noqa: F811
    theirs = run_sequence(real_redis.port, flags, GROUP_EVENTS)
    ours = run_sequence(server.port, flags, GROUP_EVENTS)
    assert ours == theirs
    assert len(theirs["events"]) > 10


CLAIM_SCRIPT = [
    ("XADD", "s", "1-0", "a", "1"), ("XADD", "s", "2-0", "b", "2"),
    ("XADD", "s", "3-0", "c", "3"), ("XADD", "s", "4-0", "d", "4"),
    ("XADD", "s", "5-0", "e", "5"),
    ("XGROUP", "CREATE", "s", "g", "0"),
    ("XREADGROUP", "GROUP", "g", "c1", "COUNT", "3", "STREAMS", "s", ">"),
    ("XREADGROUP", "GROUP", "g", "c2", "STREAMS", "s", ">"),
    # XCLAIM: errors, min-idle, options.
    ("XCLAIM", "nokey", "g", "c", "0", "1-0"),
    ("XCLAIM", "s", "nog", "c", "0", "1-0"),
    ("XCLAIM", "s", "g", "c", "x", "1-0"),
    ("XCLAIM", "s", "g", "c", "0", "1-0", "FOO"),
    ("XCLAIM", "s", "g", "c", "0", "1-0", "IDLE", "x"),
    ("XCLAIM", "s", "g", "c", "0", "1-0", "TIME", "x"),
    ("XCLAIM", "s", "g", "c", "0", "1-0", "RETRYCOUNT", "x"),
    ("XCLAIM", "s", "g", "c", "0", "1-0", "LASTID", "x"),
    ("XCLAIM", "s", "g", "c", "0", "1-0", "IDLE"),
    ("XCLAIM", "s", "g", "c3", "99999999", "1-0"),
    ("XCLAIM", "s", "g", "c3", "0", "1-0", "9-9"),
    ("XPENDING", "s", "g"),
    ("XCLAIM", "s", "g", "c3", "0", "1-0", "2-0", "JUSTID"),
    ("XCLAIM", "s", "g", "c3", "-5", "2-0", "RETRYCOUNT", "7"),
    ("XPENDING", "s", "g", "IDLE", "99999999", "-", "+", "10"),
    ("XCLAIM", "s", "g", "c4", "0", "9-9", "FORCE"),
    ("XCLAIM", "s", "g", "c4", "0", "5-0", "FORCE", "JUSTID"),
    ("XCLAIM", "s", "g", "c5", "0", "3-0", "LASTID", "9-0"),
    ("XINFO", "GROUPS", "s"), ("XPENDING", "s", "g"),
    ("XDEL", "s", "2-0"),
    ("XCLAIM", "s", "g", "c1", "0", "2-0"), ("XPENDING", "s", "g"),
    ("XREADGROUP", "GROUP", "g", "c3", "STREAMS", "s", "0"),
    # XAUTOCLAIM.
    ("XAUTOCLAIM", "s", "g", "c6", "x", "0"),
    ("XAUTOCLAIM", "s", "g", "c6", "0", "x"),
    ("XAUTOCLAIM", "s", "g", "c6", "0", "0", "COUNT", "0"),
    ("XAUTOCLAIM", "s", "g", "c6", "0", "0", "COUNT", "x"),
    ("XAUTOCLAIM", "s", "g", "c6", "0", "0", "COUNT", "1000000"),
    ("XAUTOCLAIM", "s", "g", "c6", "0", "0", "COUNT", "576460752303423488"),
    ("XAUTOCLAIM", "s", "g", "c6", "0", "0", "FOO"),
    ("XAUTOCLAIM", "nokey", "g", "c6", "0", "0"),
    ("XAUTOCLAIM", "s", "nog", "c6", "0", "0"),
    ("XAUTOCLAIM", "s", "g", "c6", "99999999", "0"),
    ("XAUTOCLAIM", "s", "g", "c6", "0", "0", "COUNT", "1"),
    ("XAUTOCLAIM", "s", "g", "c6", "0", "(1-0", "COUNT", "2", "JUSTID"),
    ("XDEL", "s", "4-0", "5-0"),
    ("XAUTOCLAIM", "s", "g", "c7", "0", "-", "COUNT", "2"),
    ("XAUTOCLAIM", "s", "g", "c7", "0", "-"),
    ("XPENDING", "s", "g"), ("XINFO", "GROUPS", "s"),
    ("XAUTOCLAIM", "s", "g", "c7", "0", "(" + MAX + "-" + MAX),
    ("SET", "str", "v"), ("XCLAIM", "str", "g", "c", "0", "1-0"),
    ("XAUTOCLAIM", "str", "g", "c", "0", "0"),
    ("XAUTOCLAIM", "str", "g", "c", "x", "0"),
]


@pytest.mark.parametrize("proto", [2, 3])
def test_claim_commands_match_redis(server, real_redis, proto):  # noqa: F811
    ours, theirs = connect(server, real_redis, proto)
    bad = compare_script(ours, theirs, CLAIM_SCRIPT)
    assert not bad, report(bad)


def test_group_commands_do_not_touch_watch(server, real_redis):  # noqa: F811
    """No group command (XGROUP but CREATE MKSTREAM of a new stream,
    XREADGROUP, XACK, XCLAIM, XAUTOCLAIM) invalidates a WATCH on the
    stream, as in Redis: they write no metadata."""
    import redis
    cmds = [
        ("XGROUP", "CREATE", "s", "g2", "0"),
        ("XGROUP", "SETID", "s", "g", "0"),
        ("XGROUP", "CREATECONSUMER", "s", "g", "c9"),
        ("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", ">"),
        ("XACK", "s", "g", "1-0"),
        ("XGROUP", "SETID", "s", "g", "0"),
        ("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", ">"),
        ("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", "0"),
        ("XCLAIM", "s", "g", "c2", "0", "1-0"),
        ("XAUTOCLAIM", "s", "g", "c3", "0", "0"),
        ("XGROUP", "DELCONSUMER", "s", "g", "c9"),
        ("XGROUP", "DESTROY", "s", "g2"),
        ("XGROUP", "CREATE", "new", "g", "0", "MKSTREAM"),
    ]
    got = {}
    for name, srv in (("shale", server), ("redis", real_redis)):
        a, b = srv.redis(), srv.redis()
        a.flushall()
        a.xadd("s", {"f": 1}, id="1-0")
        a.xgroup_create("s", "g", "0")
        out = []
        for c in cmds:
            key = "new" if c[2] == "new" else "s"
            with a.pipeline() as p:
                p.watch(key)
                p.multi()
                p.exists(key)
                b.execute_command(*c)
                try:
                    p.execute()
                    out.append(False)
                except redis.WatchError:
                    out.append(True)
        got[name] = out
        a.close()
        b.close()
    assert got["shale"] == got["redis"]
    assert got["redis"] == [False] * (len(cmds) - 1) + [True]
