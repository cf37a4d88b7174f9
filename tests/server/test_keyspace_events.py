"""Keyspace notifications on the wire, byte for byte against redis-server
7.0: a subscriber of `__keyspace@0__:*` and `__keyevent@*` watches the same
command sequence on a real redis-server and on shale-server (events enabled
by CONFIG SET notify-keyspace-events, or by the config file), and every
pmessage it receives must be the same bytes, in the same order.

Each sequence ends with a PUBLISH to a channel the keyevent pattern matches;
the subscriber reads until that marker, so nothing waits on a sleep. For a
key given a short expiry the sequence waits for its `expired` event (when
the flags publish one) before the next command: Redis may announce it from
a read that finds the key expired, shale from its active expirer only
(docs/server.md, "Lazy expiry"), and the bytes must be the same either
way."""
import pytest

from conftest import ShaleServer, wait_for
from real_redis import real_redis  # noqa: F401 (fixture)
from resp_raw import RawConn

MARK = "__keyevent@0__:zz-end-of-sequence"


@pytest.fixture(scope="module")
def real(real_redis):  # noqa: F811
    return real_redis


def wait_until_gone(w, key):
    wait_for(lambda: w.call("EXISTS", key) == b":0\r\n", 10,
             key + " expired")
    return b":0\r\n"


def expired_published(flags):
    """True if `flags` publish expired events (a keyspace or keyevent
    channel, and the x class)."""
    return ("K" in flags or "E" in flags) and ("x" in flags or "A" in flags)


def wait_for_expired(sub, flags, key, events):
    """Reads the subscriber until the last message of key's expiry (the
    keyevent one if E is on, else the keyspace one), appending every
    message to events."""
    if "E" in flags:
        last = b"__keyevent@0__:expired\r\n$%d\r\n%s\r\n" % (
            len(key), key.encode())
    else:
        last = b"__keyspace@0__:%s\r\n$7\r\nexpired\r\n" % key.encode()
    while True:
        m = sub.reply()
        events.append(m)
        if m.endswith(last):
            return


def run_sequence(port, flags, commands, set_flags=True):
    """Runs commands with notify-keyspace-events `flags`; returns the
    replies and every message the subscriber got before the marker."""
    w = RawConn(port)
    assert w.call("FLUSHALL") == b"+OK\r\n"
    if set_flags:
        assert w.call("CONFIG", "SET", "notify-keyspace-events",
                      flags) == b"+OK\r\n"
    sub = RawConn(port)
    sub.send("PSUBSCRIBE", "__keyspace@0__:*", "__keyevent@*")
    out = {"confirm": sub.replies(2), "replies": [], "events": []}
    for c in commands:
        if c[0] == "wait-gone":
            if expired_published(flags):
                wait_for_expired(sub, flags, c[1], out["events"])
            out["replies"].append(wait_until_gone(w, c[1]))
        else:
            out["replies"].append(w.call(*c))
    assert w.call("PUBLISH", MARK, "end") == b":1\r\n"
    while True:
        m = sub.reply()
        if MARK.encode() in m:
            break
        out["events"].append(m)
    if set_flags:
        w.call("CONFIG", "SET", "notify-keyspace-events", "")
    sub.close()
    w.close()
    return out


# Every write command shale serves, with the cases that publish nothing
# (SETNX on an existing key, RENAMENX onto one, DEL of a missing key).
EVERY_WRITE = [
    ("SET", "k", "v"), ("SET", "k", "v2", "EX", "100"), ("GET", "k"),
    ("SET", "k", "v3", "KEEPTTL"), ("SET", "k", "v4", "NX"),
    ("INCR", "n"), ("INCRBY", "n", "5"), ("DECR", "n"), ("DECRBY", "n", "2"),
    ("INCRBYFLOAT", "f", "1.5"), ("APPEND", "k", "x"),
    ("SETRANGE", "k", "1", "yy"), ("MSET", "a", "1", "b", "2"),
    ("MSETNX", "a", "1", "z", "2"), ("MSETNX", "y", "1", "x", "2"),
    ("SETNX", "a", "9"), ("SETNX", "c", "3"), ("GETSET", "c", "4"),
    ("GETDEL", "c"), ("GETDEL", "c"), ("GETEX", "a", "EX", "100"),
    ("GETEX", "a", "PERSIST"), ("GETEX", "a"),
    ("EXPIRE", "b", "100"), ("PEXPIRE", "b", "100000"),
    ("EXPIREAT", "b", "4000000000"), ("PEXPIREAT", "b", "4000000000000"),
    ("PERSIST", "b"), ("PERSIST", "b"), ("EXPIRE", "b", "0"),
    ("EXPIRE", "nosuch", "10"),
    ("RENAME", "k", "k2"), ("RENAMENX", "k2", "a"), ("RENAMENX", "k2", "k3"),
    ("RENAME", "a", "k3"), ("DEL", "k3", "n", "nosuch"), ("UNLINK", "f"),
    ("SET", "e", "v", "PX", "30"), ("wait-gone", "e"),
    ("SETEX", "s", "100", "v"), ("PSETEX", "p", "100000", "v"),
    ("SELECT", "1"), ("SET", "k1", "v"), ("MOVE", "k1", "0"),
    ("SET", "k1", "w"), ("MOVE", "k1", "0"), ("SELECT", "0"),
    ("DEL", "k1", "y", "x", "z"), ("SWAPDB", "0", "1"), ("FLUSHDB",),
]


@pytest.mark.parametrize("flags", ["KEA", "KA", "EA", "Kg", "E$", "Kx",
                                   "KEg$xn", "KEAm", "K", "E", "A"])
def test_events_match_redis(real, server, flags):
    theirs = run_sequence(real.port, flags, EVERY_WRITE)
    ours = run_sequence(server.port, flags, EVERY_WRITE)
    assert ours["confirm"] == theirs["confirm"]
    assert ours["replies"] == theirs["replies"]
    assert ours["events"] == theirs["events"]
    if flags in ("KEA", "KA", "EA"):
        assert len(theirs["events"]) > 40  # the test can tell a difference


def test_new_and_keymiss_events(real, server):
    seq = [("GET", "m1"), ("SET", "n1", "v"), ("SET", "n1", "w"),
           ("INCR", "n2"), ("MGET", "m2", "n1", "m3"), ("STRLEN", "m4"),
           ("GETRANGE", "m5", "0", "1"), ("EXISTS", "m6"), ("TTL", "m7"),
           ("APPEND", "n3", "x"), ("SETNX", "n3", "y"), ("GETDEL", "m8")]
    theirs = run_sequence(real.port, "KEnm$g", seq)
    ours = run_sequence(server.port, "KEnm$g", seq)
    assert ours == theirs
    assert len(theirs["events"]) > 10


def test_disabled_publishes_nothing(real, server):
    for port in (real.port, server.port):
        out = run_sequence(port, "", EVERY_WRITE)
        assert out["events"] == []


def test_config_get_and_hz(real, server):
    """The flags read back as Redis canonicalizes them, and `hz` reaches
    the expirer (INFO server hz) as it reaches Redis's cron."""
    for port in (real.port, server.port):
        c = RawConn(port)
        assert c.call("CONFIG", "SET", "notify-keyspace-events",
                      "$gxKE") == b"+OK\r\n"
        assert c.call("CONFIG", "GET", "notify-keyspace-events") == \
            b"*2\r\n$22\r\nnotify-keyspace-events\r\n$5\r\ng$xKE\r\n"
        assert c.call("CONFIG", "SET", "notify-keyspace-events",
                      "") == b"+OK\r\n"
        for hz, shown in (("50", b"50"), ("1000", b"500"), ("10", b"10")):
            assert c.call("CONFIG", "SET", "hz", hz) == b"+OK\r\n"
            info = c.call("INFO", "server")
            assert b"\r\nhz:" + shown + b"\r\n" in info, (port, hz)
            assert b"\r\nconfigured_hz:" + shown + b"\r\n" in info
        assert c.call("CONFIG", "SET", "active-expire-effort",
                      "10") == b"+OK\r\n"
        assert c.call("CONFIG", "SET", "active-expire-effort",
                      "1") == b"+OK\r\n"
        c.close()


def test_flags_from_the_config_file(real, tmp_path):
    """notify-keyspace-events and hz in shale.toml apply from the start."""
    conf = tmp_path / "shale.toml"
    conf.write_text('notify-keyspace-events = "KEA"\nhz = 100\n')
    srv = ShaleServer(str(tmp_path / "srv"),
                      args=["--config", str(conf)]).start()
    try:
        seq = [("SET", "k", "v"), ("EXPIRE", "k", "100"), ("DEL", "k"),
               ("SET", "e", "v", "PX", "20"), ("wait-gone", "e")]
        ours = run_sequence(srv.port, "KEA", seq, set_flags=False)
        theirs = run_sequence(real.port, "KEA", seq)
        assert ours == theirs
        assert len(ours["events"]) == 12  # 6 events, K and E each
        c = RawConn(srv.port)
        assert b"\r\nhz:100\r\n" in c.call("INFO", "server")
        c.close()
    finally:
        srv.cleanup()
