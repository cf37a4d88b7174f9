"""Transactions: MULTI EXEC DISCARD WATCH UNWATCH as Redis 7.0 (replies
compared with a real redis-server for the error cases), WATCH invalidated
by writes through every front end, expiry and flushes, isolation, and a
bounded queue."""
import socket
import threading
import time
import urllib.request

import pytest
import redis
from pymemcache.client.base import Client

from conftest import wait_for
from real_redis import real_redis  # noqa: F401 (fixture)
from test_malformed import rss_kib


def conn(port, **kw):
    return redis.Redis(host="127.0.0.1", port=port, socket_timeout=20,
                       single_connection_client=True, **kw)


def plain(v):
    """Errors inside arrays (EXEC's) as text, so replies compare."""
    if isinstance(v, Exception):
        return "error: %s %s" % (type(v).__name__, v)
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v


def replies(c, commands):
    """Each command's reply as sent (no redis-py reply callbacks: QUEUED
    stays QUEUED), errors as text with their prefix."""
    out = []
    for args in commands:
        c.connection.send_command(*args)
        try:
            out.append(plain(c.connection.read_response()))
        except redis.exceptions.ResponseError as e:
            out.append("error: %s %s" % (type(e).__name__, e))
    return out


SEQUENCES = [
    # queue-time errors abort EXEC
    [("MULTI",), ("SET", "a", "1"), ("NOSUCHCMD", "x"), ("SET", "b", "2"),
     ("EXEC",), ("GET", "a")],
    [("MULTI",), ("GET",), ("EXEC",), ("EXISTS", "a")],
    [("MULTI",), ("SET", "a", "1"), ("SET", "a"), ("EXEC",), ("EXEC",)],
    # runtime errors are answered per command
    [("SET", "s", "abc"), ("MULTI",), ("INCR", "s"), ("SET", "t", "1"),
     ("INCRBY", "t", "x"), ("GET", "t"), ("EXEC",)],
    # control commands
    [("EXEC",), ("DISCARD",), ("MULTI",), ("MULTI",), ("EXEC",)],
    [("MULTI",), ("WATCH", "a"), ("SET", "a", "1"), ("EXEC",)],
    [("MULTI",), ("SET", "a", "1"), ("DISCARD",), ("GET", "a"),
     ("DISCARD",)],
    [("MULTI",), ("EXEC",)],
    [("MULTI",), ("UNWATCH",), ("PING",), ("ECHO", "x"), ("EXEC",)],
    [("WATCH", "k"), ("SET", "k", "1"), ("MULTI",), ("GET", "k"), ("EXEC",)],
    [("WATCH",), ("UNWATCH", "x"), ("MULTI", "x"), ("EXEC", "x")],
    [("WATCH", "k"), ("MULTI",), ("GET", "k"), ("EXEC",)],
    [("MULTI",), ("SELECT", "2"), ("SET", "in2", "v"), ("EXEC",),
     ("GET", "in2"), ("SELECT", "0"), ("GET", "in2")],
    [("SET", "x", "1"), ("MULTI",), ("DEL", "x"), ("GET", "x"),
     ("SET", "x", "2"), ("GET", "x"), ("KEYS", "*"), ("DBSIZE",), ("EXEC",)],
    [("MULTI",), ("SET", "f", "1"), ("FLUSHDB",), ("SET", "g", "2"),
     ("EXEC",), ("KEYS", "*")],
    # SWAPDB of a database with itself changes nothing, watched keys
    # included; swapping two databases touches the watched keys of both.
    [("SET", "k", "1"), ("WATCH", "k"), ("SWAPDB", "0", "0"), ("MULTI",),
     ("SET", "k", "2"), ("EXEC",), ("GET", "k")],
    [("SET", "k", "1"), ("WATCH", "k"), ("SWAPDB", "0", "1"), ("MULTI",),
     ("SET", "k", "2"), ("EXEC",), ("GET", "k")],
    # Every command of an EXEC runs at EXEC's time (Redis's cached command
    # time): a 1 ms expiry set inside has not passed for the commands after
    # it, however long the 20,000-element push between them takes.
    # DBSIZE inside EXEC counts the keys the transaction created and
    # deleted before it.
    [("SET", "old", "1"), ("MULTI",), ("SET", "a", "1"), ("SET", "b", "2"),
     ("DEL", "old"), ("DBSIZE",), ("SELECT", "3"), ("SET", "c", "3"),
     ("DBSIZE",), ("EXEC",)],
    [("MULTI",), ("SET", "e", "v", "PX", "1"), ("RPUSH", "big", *["x"] * 20000),
     ("GET", "e"), ("EXEC",)],
]


@pytest.mark.parametrize("seq", range(len(SEQUENCES)))
def test_replies_match_redis(server, real_redis, seq):  # noqa: F811
    got = []
    for port in (server.port, real_redis.port):
        c = conn(port)
        c.flushall()
        got.append(replies(c, SEQUENCES[seq]))
        c.close()
    assert got[0] == got[1]


def test_resp3_exec_replies(server, r):
    hello = b"*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n"
    r.set("w", "1")
    # WATCH fails: EXEC answers RESP3's null.
    with socket.create_connection(("127.0.0.1", server.port)) as s:
        s.sendall(hello + b"*2\r\n$5\r\nWATCH\r\n$1\r\nw\r\n")
        buf = b""
        while b"+OK\r\n" not in buf:
            buf += s.recv(65536)
        r.set("w", "2")
        s.sendall(b"*1\r\n$5\r\nMULTI\r\n*2\r\n$3\r\nGET\r\n$1\r\nw\r\n"
                  b"*1\r\n$4\r\nEXEC\r\n")
        buf = b""
        while not buf.endswith(b"_\r\n"):
            buf += s.recv(65536)
        assert buf == b"+OK\r\n+QUEUED\r\n_\r\n"


def test_pipeline_is_a_transaction(server, r):
    p = r.pipeline()
    p.set("a", "1").incr("a").get("a").mget("a", "b")
    assert p.execute() == [True, 2, b"2", [b"2", None]]


def test_watch_sees_writes_from_every_front_end(server, r):
    mc = Client(("127.0.0.1", server.mc_port), timeout=10,
                default_noreply=False)

    def http_put(key):
        req = urllib.request.Request(
            "http://127.0.0.1:%d/v1/kv/%s" % (server.http_port, key),
            data=b"h", method="PUT")
        urllib.request.urlopen(req).read()

    other = server.redis()
    writers = {
        "resp": lambda k: other.set(k, "x"),
        "memcached": lambda k: mc.set(k, "x"),
        "http": http_put,
        "del": lambda k: other.delete(k),
        "expire": lambda k: other.pexpire(k, 100000),
        "flushdb": lambda k: other.flushdb(),
        "flushall": lambda k: other.flushall(),
        "swapdb": lambda k: other.swapdb(0, 1),
        "rename": lambda k: other.rename(k, k + "2"),
        "fast-set": lambda k: other.pipeline(transaction=False)
        .set("z", "1").set(k, "y").execute(),
    }
    for name, write in writers.items():
        r.flushall()
        r.set("wk", "v")
        p = r.pipeline()
        p.watch("wk")
        write("wk")
        p.multi()
        p.set("wk", "mine")
        with pytest.raises(redis.WatchError):
            p.execute()
        p.reset()
    # Untouched, or touched before WATCH: EXEC runs.
    r.set("wk", "v")
    p = r.pipeline()
    p.watch("wk")
    other.set("unrelated", "1")
    p.multi()
    p.set("wk", "mine")
    assert p.execute() == [True]


def test_watch_absent_key_and_flush(server, r):
    # As Redis: flushing a database where the watched key does not exist
    # leaves the transaction alone.
    c = conn(server.port)
    c.execute_command("WATCH", "nokey")
    r.flushdb()
    c.execute_command("MULTI")
    c.execute_command("SET", "nokey", "1")
    assert c.execute_command("EXEC") == [b"OK"]


def test_watch_fails_when_key_expires(server, r):
    c = conn(server.port)
    r.set("ek", "v", px=150)
    c.execute_command("WATCH", "ek")
    wait_for(lambda: r.get("ek") is None, 5, "expiry")
    c.execute_command("MULTI")
    c.execute_command("SET", "x", "1")
    assert c.execute_command("EXEC") is None
    # Already expired when watched: not a change.
    c.execute_command("WATCH", "ek")
    c.execute_command("MULTI")
    c.execute_command("SET", "x", "1")
    assert c.execute_command("EXEC") == [b"OK"]


def make_expired(c, key):
    """Leaves key present but already expired: written with an expiry 30
    ms ahead, then the wall clock waited past it (a wait for the clock,
    not for another thread). At hz 1 neither server's active expiry is
    likely to reclaim it within the next second; if it does, the caller's
    answers are the same, the check only weaker."""
    at = int(time.time() * 1000) + 30
    c.execute_command("SET", key, "v", "PXAT", at)
    while time.time() * 1000 < at + 5:
        time.sleep(0.005)


@pytest.mark.parametrize("reclaim", [
    ("SUNIONSTORE", "d", "ek"),  # a write command that reads it
    ("DEL", "ek"),
    ("GET", "ek"),
])
def test_watch_of_expired_key_survives_its_reclamation(
        server, real_redis, reclaim):  # noqa: F811
    # WATCHed when already expired, a key's reclamation by another client
    # is no change (Redis 7.0's watchedKey.expired); a later write is.
    for port in (server.port, real_redis.port):
        a, b = conn(port), conn(port)
        a.flushall()
        a.execute_command("CONFIG", "SET", "hz", "1")
        try:
            make_expired(a, "ek")
            a.execute_command("WATCH", "ek")
            b.execute_command(*reclaim)
            assert replies(a, [("MULTI",), ("SET", "x", "1"), ("EXEC",)]) == [
                b"OK", b"QUEUED", [b"OK"]], port
            make_expired(a, "ek")
            a.execute_command("WATCH", "ek")
            b.execute_command(*reclaim)
            b.execute_command("SET", "ek", "new")
            assert replies(a, [("MULTI",), ("SET", "x", "1"), ("EXEC",)]) == [
                b"OK", b"QUEUED", None], port
        finally:
            a.execute_command("CONFIG", "SET", "hz", "10")
            a.close()
            b.close()


def test_transaction_with_watch_retries_from_4_threads(server, r):
    r.set("counter", "0")
    errors = []

    def work():
        c = server.redis()
        try:
            for _ in range(50):
                def incr(pipe):
                    v = int(pipe.get("counter"))
                    pipe.multi()
                    pipe.set("counter", v + 1)
                c.transaction(incr, "counter")
        except Exception as e:  # noqa: BLE001
            errors.append(e)
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert r.get("counter") == b"200"


def test_exec_is_isolated_from_other_clients(server, r):
    """Readers never see half of an EXEC: a transaction moves a unit between
    two keys, readers check the sum with MGET (one read view)."""
    r.mset({"x": 1000, "y": 0})
    stop = threading.Event()
    bad = []

    def reader():
        c = server.redis()
        while not stop.is_set():
            x, y = c.mget("x", "y")
            if int(x) + int(y) != 1000:
                bad.append((x, y))

    t = threading.Thread(target=reader)
    t.start()
    c = server.redis()
    for _ in range(300):
        p = c.pipeline()
        p.decr("x").incr("y")
        p.execute()
    stop.set()
    t.join()
    assert not bad
    assert r.mget("x", "y") == [b"700", b"300"]


def test_queue_flood_is_bounded(server, r):
    """1M commands queued in MULTI: past the queue's 64 MiB the server
    answers errors, EXEC answers EXECABORT, memory stays bounded."""
    before = rss_kib(server.proc.pid)
    cmd = b"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n"
    chunk = cmd * 10000
    queued = errors = 0
    with socket.create_connection(("127.0.0.1", server.port)) as s:
        s.sendall(b"*1\r\n$5\r\nMULTI\r\n")
        buf = b""
        while not buf.endswith(b"+OK\r\n"):
            buf += s.recv(65536)
        buf = b""
        for i in range(100):
            s.sendall(chunk)
            want = (i + 1) * 10000
            while queued + errors < want:
                data = s.recv(1 << 20)
                assert data
                buf += data
                lines = buf.split(b"\r\n")
                buf = lines.pop()
                for line in lines:
                    if line == b"+QUEUED":
                        queued += 1
                    else:
                        assert line.startswith(b"-ERR MULTI queue exceeds")
                        errors += 1
        s.sendall(b"*1\r\n$4\r\nEXEC\r\n")
        while not buf.endswith(b"\r\n"):
            buf += s.recv(65536)
        assert buf.startswith(b"-EXECABORT")
        assert rss_kib(server.proc.pid) - before < 300 * 1024
    assert 100000 < queued < 1000000 and errors == 1000000 - queued
    assert r.get("key") is None
