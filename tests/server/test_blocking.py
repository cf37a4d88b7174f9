"""Blocking pops (BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP BZPOPMIN BZPOPMAX
BZMPOP) and CLIENT UNBLOCK across several connections, byte for byte
against redis-server 7.0 (real_redis.py) in RESP2 and RESP3: served at
once, FIFO wakeups, pushes in MULTI, timeouts, CLIENT UNBLOCK, disconnects,
keys overwritten by another type, keyspace events; and a reliable queue
with BLMOVE and several consumers (redis-py).

A client is known blocked when INFO's blocked_clients counts it (polled);
no test sleeps to synchronize."""
import threading
import time

import pytest

from real_redis import real_redis  # noqa: F401
from resp_raw import RawConn


def blocked_clients(ctl):
    info = ctl.call("INFO", "clients").decode()
    for line in info.split("\r\n"):
        if line.startswith("blocked_clients:"):
            return int(line.split(":")[1])
    raise AssertionError("no blocked_clients in INFO: %r" % info)


def wait_blocked(ctl, n):
    deadline = time.monotonic() + 10
    while blocked_clients(ctl) != n:
        assert time.monotonic() < deadline, "blocked_clients never %d" % n
        time.sleep(0.002)


def run(port, proto, steps):
    """Runs steps on fresh connections to port; returns what each replied.
    Steps: ("call", name, args...) records name's reply; ("block", name,
    args...) sends and waits until one more client is blocked; ("reply",
    name) records the reply name gets next; ("close", name)."""
    ctl = RawConn(port)
    ctl.call("FLUSHALL")
    conns, out, blocked = {}, [], 0

    def conn(name):
        if name not in conns:
            c = RawConn(port)
            if proto == 3:
                c.call("HELLO", "3")
            conns[name] = c
        return conns[name]

    for step in steps:
        kind, name, args = step[0], step[1], step[2:]
        if kind == "call":
            out.append((name, conn(name).call(*args)))
        elif kind == "block":
            conn(name).send(*args)
            blocked += 1
            wait_blocked(ctl, blocked)
        elif kind == "reply":
            out.append((name, conn(name).reply()))
            blocked = blocked_clients(ctl)
        elif kind == "close":
            conns.pop(name).close()
            blocked -= 1
            wait_blocked(ctl, blocked)
        elif kind == "unblocked":  # wait until the count drops to args[0]
            blocked = args[0]
            wait_blocked(ctl, blocked)
    for c in conns.values():
        c.close()
    ctl.close()
    return out


def compare(server, real_redis, steps):  # noqa: F811
    for proto in (2, 3):
        ours = run(server.port, proto, steps)
        theirs = run(real_redis.port, proto, steps)
        assert ours == theirs, "RESP%d" % proto


IMMEDIATE = [
    ("call", "a", "RPUSH", "l", "x", "y", "z"),
    ("call", "a", "BLPOP", "nokey", "l", "0"),
    ("call", "a", "BRPOP", "l", "0"),
    ("call", "a", "RPUSH", "l", "p", "q", "r"),
    ("call", "a", "BLMPOP", "0", "2", "nokey", "l", "LEFT", "COUNT", "2"),
    ("call", "a", "BLMPOP", "0", "1", "l", "RIGHT"),
    ("call", "a", "BLMOVE", "l", "d", "LEFT", "RIGHT", "0"),
    ("call", "a", "BRPOPLPUSH", "d", "l", "0"),
    ("call", "a", "LRANGE", "l", "0", "-1"),
    ("call", "a", "ZADD", "z", "1", "m1", "2", "m2", "3.5", "m3"),
    ("call", "a", "BZPOPMIN", "nokey", "z", "0"),
    ("call", "a", "BZPOPMAX", "z", "0"),
    ("call", "a", "BZMPOP", "0", "1", "z", "MIN", "COUNT", "5"),
    ("call", "a", "EXISTS", "z"),
    # Errors, in Redis's order.
    ("call", "a", "SET", "s", "v"),
    ("call", "a", "BLPOP", "s", "0"),
    ("call", "a", "BLPOP", "nokey", "s", "0"),
    ("call", "a", "BZPOPMIN", "s", "0"),
    ("call", "a", "BLPOP", "l", "x"),
    ("call", "a", "BLPOP", "l", "-1"),
    ("call", "a", "BLPOP", "l", "nan"),
    ("call", "a", "BLPOP", "l", "1e100"),
    ("call", "a", "BLPOP", "l", "inf"),
    ("call", "a", "BLPOP", "l", "9.3e15"),
    ("call", "a", "BLPOP", "l", "9223372036854775"),
    ("call", "a", "BLPOP", "l", " 1"),
    ("call", "a", "BLPOP", "l", ""),
    ("call", "a", "BLPOP", "l"),
    ("call", "a", "BLMOVE", "l", "d", "UP", "LEFT", "x"),
    ("call", "a", "BLMOVE", "l", "d", "LEFT", "LEFT", "x"),
    ("call", "a", "RPUSH", "l", "w"),
    ("call", "a", "BLMOVE", "l", "s", "LEFT", "LEFT", "0"),
    ("call", "a", "BLMPOP", "x", "1", "l", "LEFT"),
    ("call", "a", "BLMPOP", "0", "0", "l", "LEFT"),
    ("call", "a", "BLMPOP", "0", "1", "l", "UP"),
    ("call", "a", "BLMPOP", "0", "1", "l", "LEFT", "COUNT", "0"),
    ("call", "a", "BZMPOP", "0", "1", "z", "UP"),
    ("call", "a", "BZMPOP", "-1", "1", "z", "MIN"),
    ("call", "a", "BZMPOP", "0", "1", "z", "MIN", "COUNT", "-1"),
    ("call", "a", "BRPOPLPUSH", "l", "d", "-0.5"),
    ("call", "a", "CLIENT", "UNBLOCK", "x"),
    ("call", "a", "CLIENT", "UNBLOCK", "1", "MAYBE"),
    ("call", "a", "CLIENT", "UNBLOCK", "999999"),
    # Inside MULTI: never blocks, answers as on a timeout.
    ("call", "a", "MULTI"),
    ("call", "a", "BLPOP", "nokey", "0"),
    ("call", "a", "BLMOVE", "nokey", "d", "LEFT", "LEFT", "0"),
    ("call", "a", "BRPOPLPUSH", "nokey", "d", "0"),
    ("call", "a", "BLMPOP", "0", "1", "nokey", "LEFT"),
    ("call", "a", "BZPOPMIN", "nokey", "0"),
    ("call", "a", "BZMPOP", "0", "1", "nokey", "MAX"),
    ("call", "a", "RPUSH", "nokey", "v"),
    ("call", "a", "BLPOP", "nokey", "0"),
    ("call", "a", "EXEC"),
]


def test_immediate_and_errors(server, real_redis):  # noqa: F811
    compare(server, real_redis, IMMEDIATE)


def test_fifo_wakeups(server, real_redis):  # noqa: F811
    compare(server, real_redis, [
        ("block", "c1", "BLPOP", "q", "0"),
        ("block", "c2", "BRPOP", "other", "q", "0"),
        ("block", "c3", "BLMPOP", "0", "1", "q", "LEFT", "COUNT", "5"),
        ("call", "p", "RPUSH", "q", "a", "b", "c", "d"),
        ("reply", "c1"), ("reply", "c2"), ("reply", "c3"),
        ("call", "p", "EXISTS", "q"),
        # One push, three waiters: only the first is served.
        ("block", "c1", "BLPOP", "q", "0"),
        ("block", "c2", "BLPOP", "q", "0"),
        ("call", "p", "LPUSH", "q", "x"),
        ("reply", "c1"),
        ("call", "p", "LPUSH", "q", "y"),
        ("reply", "c2"),
    ])


def test_push_in_multi_wakes_after_exec(server, real_redis):  # noqa: F811
    compare(server, real_redis, [
        ("block", "c1", "BLPOP", "a", "b", "0"),
        ("block", "c2", "BZPOPMIN", "z", "0"),
        ("call", "p", "MULTI"),
        ("call", "p", "RPUSH", "b", "1"),
        ("call", "p", "RPUSH", "a", "2"),
        ("call", "p", "ZADD", "z", "5", "m"),
        ("call", "p", "ZADD", "z", "1", "n"),
        ("call", "p", "EXEC"),
        ("reply", "c1"), ("reply", "c2"),
        ("call", "p", "LRANGE", "a", "0", "-1"),
        ("call", "p", "ZRANGE", "z", "0", "-1", "WITHSCORES"),
        # A push popped again in the same transaction wakes nobody.
        ("block", "c1", "BLPOP", "q", "0"),
        ("call", "p", "MULTI"),
        ("call", "p", "RPUSH", "q", "v"),
        ("call", "p", "LPOP", "q"),
        ("call", "p", "EXEC"),
        ("call", "p", "RPUSH", "q", "w"),
        ("reply", "c1"),
    ])


def test_timeouts(server, real_redis):  # noqa: F811
    compare(server, real_redis, [
        ("call", "c1", "BLPOP", "q", "0.05"),
        ("call", "c1", "BRPOP", "q", "q2", ".01"),
        ("call", "c1", "BLMOVE", "q", "d", "LEFT", "LEFT", "0.01"),
        ("call", "c1", "BRPOPLPUSH", "q", "d", "0.01"),
        ("call", "c1", "BLMPOP", "0.01", "1", "q", "LEFT"),
        ("call", "c1", "BZPOPMIN", "z", "0.01"),
        ("call", "c1", "BZPOPMAX", "z", "0.01"),
        ("call", "c1", "BZMPOP", "0.01", "1", "z", "MIN"),
        ("call", "c1", "PING"),
    ])


def test_sub_millisecond_timeouts(server, real_redis):  # noqa: F811
    """Redis 7.0 rounds a timeout up to whole milliseconds: under 1 ms
    waits 1 ms (BullMQ's workers send BZPOPMIN key 0.001), where 0 would
    block forever; a negative one under 1 ms rounds to 0, forever."""
    compare(server, real_redis, [
        ("call", "c1", "BLPOP", "q", "0.001"),
        ("call", "c1", "BRPOP", "q", "0.0001"),
        ("call", "c1", "BLMOVE", "q", "d", "LEFT", "LEFT", "0.0009"),
        ("call", "c1", "BRPOPLPUSH", "q", "d", "1e-10"),
        ("call", "c1", "BLMPOP", "0.0005", "1", "q", "LEFT"),
        ("call", "c1", "BZPOPMIN", "z", "0.001"),
        ("call", "c1", "BZPOPMAX", "z", "0.00000001"),
        ("call", "c1", "BZMPOP", "0.0002", "1", "z", "MIN"),
        ("block", "c2", "BLPOP", "q", "-0.0001"),
        ("call", "c1", "RPUSH", "q", "v"),
        ("reply", "c2"),
        ("block", "c2", "BZPOPMIN", "z", "-0.0009"),
        ("call", "c1", "ZADD", "z", "1", "m"),
        ("reply", "c2"),
    ])


def unblock_script(port, proto):
    ctl = RawConn(port)
    ctl.call("FLUSHALL")
    c = RawConn(port)
    if proto == 3:
        c.call("HELLO", "3")
    cid = int(c.call("CLIENT", "ID")[1:-2])
    got = []
    for args, reason in ((("BLPOP", "q", "0"), ()),
                         (("BLMOVE", "q", "d", "LEFT", "LEFT", "0"),
                          ("TIMEOUT",)),
                         (("BZMPOP", "0", "1", "z", "MIN"), ("ERROR",)),
                         (("BRPOPLPUSH", "q", "d", "0"), ("error",))):
        c.send(*args)
        wait_blocked(ctl, 1)
        got.append(ctl.call("CLIENT", "UNBLOCK", str(cid), *reason))
        got.append(c.reply())
        wait_blocked(ctl, 0)
        got.append(ctl.call("CLIENT", "UNBLOCK", str(cid)))
    got.append(c.call("PING"))
    c.close()
    ctl.close()
    return got


def test_client_unblock(server, real_redis):  # noqa: F811
    for proto in (2, 3):
        assert (unblock_script(server.port, proto) ==
                unblock_script(real_redis.port, proto)), "RESP%d" % proto


def test_wrong_type_while_waiting(server, real_redis):  # noqa: F811
    compare(server, real_redis, [
        ("block", "c1", "BLPOP", "q", "0"),
        ("block", "c2", "BZPOPMIN", "q", "0"),
        ("call", "p", "SET", "q", "str"),
        ("call", "p", "DEL", "q"),
        ("call", "p", "ZADD", "q", "1", "m"),
        ("reply", "c2"),
        ("call", "p", "RPUSH", "q", "e"),
        ("reply", "c1"),
        # RENAME and MOVE onto a waited key serve its waiter.
        ("block", "c1", "BLPOP", "k", "0"),
        ("call", "p", "RPUSH", "tmp", "r1", "r2"),
        ("call", "p", "RENAME", "tmp", "k"),
        ("reply", "c1"),
        ("call", "p", "LRANGE", "k", "0", "-1"),
        # A BLMOVE served onto a destination of another type: WRONGTYPE,
        # and the element stays.
        ("call", "p", "SET", "s", "v"),
        ("block", "c1", "BLMOVE", "m", "s", "LEFT", "LEFT", "0"),
        ("call", "p", "RPUSH", "m", "a"),
        ("reply", "c1"),
        ("call", "p", "LRANGE", "m", "0", "-1"),
    ])


def test_swapdb_serves_waiters(server, real_redis):  # noqa: F811
    # A database swapped in serves the clients blocked there on keys it
    # holds (Redis's scanDatabaseForReadyKeys), in both directions.
    compare(server, real_redis, [
        ("block", "c1", "BLPOP", "q", "0"),
        ("block", "c2", "BZPOPMIN", "z", "0"),
        ("block", "c3", "BLPOP", "none", "0"),
        ("call", "p", "SELECT", "1"),
        ("call", "p", "RPUSH", "q", "a", "b"),
        ("call", "p", "ZADD", "z", "1", "m"),
        ("call", "p", "SWAPDB", "1", "0"),
        ("reply", "c1"), ("reply", "c2"),
        ("call", "p", "LRANGE", "q", "0", "-1"),
        ("call", "p", "SELECT", "0"),
        ("call", "p", "LRANGE", "q", "0", "-1"),
        ("call", "p", "EXISTS", "z"),
    ])


def test_blmove_chain_and_rotate(server, real_redis):  # noqa: F811
    compare(server, real_redis, [
        ("block", "c1", "BLMOVE", "a", "b", "LEFT", "RIGHT", "0"),
        ("block", "c2", "BRPOPLPUSH", "b", "c", "0"),
        ("block", "c3", "BLPOP", "c", "0"),
        ("call", "p", "RPUSH", "a", "job"),
        ("reply", "c1"), ("reply", "c2"), ("reply", "c3"),
        ("call", "p", "EXISTS", "a", "b", "c"),
        ("block", "c1", "BLMOVE", "r", "r", "LEFT", "RIGHT", "0"),
        ("call", "p", "RPUSH", "r", "1"),
        ("reply", "c1"),
        ("call", "p", "LRANGE", "r", "0", "-1"),
    ])


def test_disconnect_while_blocked_loses_nothing(server):
    ctl = RawConn(server.port)
    ctl.call("FLUSHALL")
    c = RawConn(server.port)
    c.send("BLPOP", "q", "0")
    wait_blocked(ctl, 1)
    c.close()
    wait_blocked(ctl, 0)
    assert ctl.call("RPUSH", "q", "v") == b":1\r\n"
    assert ctl.call("LRANGE", "q", "0", "-1") == b"*1\r\n$1\r\nv\r\n"
    ctl.close()


def test_client_list_flag_and_pipeline_held(server):
    ctl = RawConn(server.port)
    ctl.call("FLUSHALL")
    c = RawConn(server.port)
    cid = c.call("CLIENT", "ID")[1:-2].decode()
    # The PING after BLPOP waits for the BLPOP's answer.
    c.sock.sendall(b"*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n"
                   b"*1\r\n$4\r\nPING\r\n")
    wait_blocked(ctl, 1)
    lines = ctl.call("CLIENT", "LIST").decode().split("\n")
    mine = [ln for ln in lines if ("id=%s " % cid) in ln]
    assert " flags=b " in mine[0], mine
    ctl.call("RPUSH", "q", "v")
    assert c.reply() == b"*2\r\n$1\r\nq\r\n$1\r\nv\r\n"
    assert c.reply() == b"+PONG\r\n"
    c.close()
    ctl.close()


def events_of(port, steps):
    sub = RawConn(port)
    sub.call("CONFIG", "SET", "notify-keyspace-events", "KEA")
    sub.call("PSUBSCRIBE", "__key*__:*")
    run(port, 2, steps)
    marker = RawConn(port)
    marker.call("PUBLISH", "__keyspace@0__:end", "end")
    got = []
    while True:
        m = sub.reply()
        got.append(m)
        if b"__keyspace@0__:end" in m:
            break
    marker.close()
    sub.call("PUNSUBSCRIBE")
    sub.call("CONFIG", "SET", "notify-keyspace-events", "")
    sub.close()
    return got


def test_events(server, real_redis):  # noqa: F811
    steps = [
        ("block", "c1", "BLMOVE", "a", "b", "RIGHT", "LEFT", "0"),
        ("block", "c2", "BZPOPMAX", "z", "0"),
        ("block", "c3", "BLMPOP", "0", "1", "l", "LEFT", "COUNT", "3"),
        ("call", "p", "RPUSH", "a", "1", "2"),
        ("reply", "c1"),
        ("call", "p", "ZADD", "z", "1", "m"),
        ("reply", "c2"),
        ("call", "p", "LPUSH", "l", "x"),
        ("reply", "c3"),
    ]
    ours = events_of(server.port, steps)
    theirs = events_of(real_redis.port, steps)
    assert ours == theirs


def test_reliable_queue_several_consumers(server):
    """BLMOVE jobs -> processing with four consumers: every job is delivered
    exactly once and ends in done."""
    import redis
    n_jobs, n_consumers = 400, 4
    r = server.redis(decode_responses=True)
    r.flushall()
    got, lock = [], threading.Lock()

    def consume():
        c = server.redis(decode_responses=True)
        while True:
            job = c.blmove("jobs", "processing", 0, "RIGHT", "LEFT")
            if job == "stop":
                c.lrem("processing", 1, job)
                break
            with lock:
                got.append(job)
            c.rpush("done", job)
            c.lrem("processing", 1, job)
        c.close()

    threads = [threading.Thread(target=consume) for _ in range(n_consumers)]
    for t in threads:
        t.start()
    wait_blocked(RawConn(server.port), n_consumers)
    for i in range(n_jobs):
        r.lpush("jobs", "job%d" % i)
    for _ in range(n_consumers):
        r.lpush("jobs", "stop")
    for t in threads:
        t.join(60)
        assert not t.is_alive()
    assert sorted(got) == sorted("job%d" % i for i in range(n_jobs))
    assert r.llen("done") == n_jobs
    assert r.llen("processing") == 0
    assert r.exists("jobs") == 0
    assert isinstance(r, redis.Redis)
