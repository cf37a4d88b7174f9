"""Pipelined runs: the keyed commands of one read of input run in one Tx
and commit once (docs/impl.md, "Pipelined runs"). Whatever a run holds, the
replies must be the bytes redis-server 7.0 sends for the same pipeline,
and a client blocked on a key must be served between the pipeline's
commands exactly where Redis serves it."""
import random
import re
import time

import pytest

from real_redis import real_redis  # noqa: F401 (fixture)
from resp_raw import RawConn, encode

KEYS = ["k%d" % i for i in range(6)]


def pick(rng):
    return rng.choice(KEYS)


def field(rng):
    return "f%d" % rng.randrange(4)


def member(rng):
    return "m%d" % rng.randrange(5)


# Command templates over every type, reads and writes (the numkeys forms
# and XREADGROUP's STREAMS among them), with WRONGTYPE and other errors, plus commands that cannot join a run (PING, SELECT,
# MULTI/EXEC, DBSIZE) and the batched plain SET/GET between runs.
TEMPLATES = [
    lambda r: ("HSET", pick(r), field(r), str(r.randrange(100))),
    lambda r: ("HDEL", pick(r), field(r)),
    lambda r: ("HGET", pick(r), field(r)),
    lambda r: ("HINCRBY", pick(r), field(r), "3"),
    lambda r: ("HLEN", pick(r)),
    lambda r: ("SADD", pick(r), member(r), member(r)),
    lambda r: ("SREM", pick(r), member(r)),
    lambda r: ("SISMEMBER", pick(r), member(r)),
    lambda r: ("SCARD", pick(r)),
    lambda r: ("ZADD", pick(r), str(r.randrange(10)), member(r)),
    lambda r: ("ZINCRBY", pick(r), "1.5", member(r)),
    lambda r: ("ZREM", pick(r), member(r)),
    lambda r: ("ZRANGE", pick(r), "0", "-1", "WITHSCORES"),
    lambda r: ("ZPOPMIN", pick(r)),
    lambda r: ("LPUSH", pick(r), member(r)),
    lambda r: ("RPUSH", pick(r), member(r), member(r)),
    lambda r: ("LPOP", pick(r)),
    lambda r: ("RPOP", pick(r)),
    lambda r: ("LRANGE", pick(r), "0", "-1"),
    lambda r: ("LMOVE", pick(r), pick(r), "LEFT", "RIGHT"),
    lambda r: ("SET", pick(r), str(r.randrange(100))),
    lambda r: ("GET", pick(r)),
    lambda r: ("INCR", pick(r)),
    lambda r: ("APPEND", pick(r), "x"),
    lambda r: ("DEL", pick(r)),
    lambda r: ("EXISTS", pick(r), pick(r)),
    lambda r: ("TYPE", pick(r)),
    lambda r: ("RENAME", pick(r), pick(r)),
    lambda r: ("COPY", pick(r), pick(r), "REPLACE"),
    lambda r: ("SUNIONSTORE", pick(r), pick(r), pick(r)),
    lambda r: ("EXPIRE", pick(r), "100"),
    lambda r: ("TTL", pick(r)),
    lambda r: ("PERSIST", pick(r)),
    lambda r: ("XADD", pick(r), "%d-1" % r.randrange(1, 300), "f", "v"),
    lambda r: ("XGROUP", "CREATE", pick(r), "g", "0", "MKSTREAM"),
    lambda r: ("XREADGROUP", "GROUP", "g", "c%d" % r.randrange(2), "COUNT",
               "2", "STREAMS", pick(r), ">"),
    lambda r: ("XREADGROUP", "GROUP", "g", "c0", "STREAMS", pick(r),
               pick(r), ">", "0"),
    lambda r: ("XACK", pick(r), "g", "%d-1" % r.randrange(1, 300)),
    lambda r: ("XPENDING", pick(r), "g"),
    lambda r: ("XLEN", pick(r)),
    lambda r: ("ZMPOP", "2", pick(r), pick(r), "MIN", "COUNT", "2"),
    lambda r: ("LMPOP", "1", pick(r), "RIGHT"),
    lambda r: ("PING",),
    lambda r: ("DBSIZE",),
    lambda r: ("SELECT", str(r.randrange(2))),
    lambda r: ("MULTI",),
    lambda r: ("EXEC",),
    lambda r: ("NOSUCHCOMMAND", pick(r)),
    lambda r: ("HSET", pick(r)),  # arity error
]


def run_pipeline(port, commands):
    c = RawConn(port)
    c.call("FLUSHALL")
    c.sock.sendall(b"".join(encode(*cmd) for cmd in commands))
    got = c.replies(len(commands))
    # Whatever the pipeline left in MULTI or in database 1 is dropped.
    c.close()
    return got


@pytest.mark.parametrize("seed", range(8))
def test_random_pipelines_match_redis(server, real_redis, seed):  # noqa: F811
    base = int(time.time()) % 100000 * 100 + seed
    print("seed", base)
    rng = random.Random(base)
    commands = [rng.choice(TEMPLATES)(rng) for _ in range(400)]
    ours = run_pipeline(server.port, commands)
    theirs = run_pipeline(real_redis.port, commands)
    for i, (a, b) in enumerate(zip(ours, theirs)):
        assert a == b, "seed %d, command %d %r" % (base, i, commands[i])


def test_run_longer_than_its_limit_matches_redis(server, real_redis):  # noqa: F811
    # 1000 writes to one hash and reads of it, past kMaxRunCommands.
    commands = []
    for i in range(1000):
        commands.append(("HSET", "h", "f%d" % (i % 50), str(i)))
        if i % 7 == 0:
            commands.append(("HLEN", "h"))
    commands.append(("HGET", "h", "f49"))
    assert run_pipeline(server.port, commands) == run_pipeline(
        real_redis.port, commands)


def blocked(ctl):
    text = ctl.call("CLIENT", "LIST").decode()
    return len(re.findall(r"flags=b", text))


def poll(cond, what):
    deadline = time.monotonic() + 10
    while not cond():
        assert time.monotonic() < deadline, "never: " + what
        time.sleep(0.002)


def served_between(port):
    """A client blocked on l is served by the pipeline's RPUSH before its
    RPOP runs, as Redis serves blocked clients after each command."""
    ctl, waiter, writer = RawConn(port), RawConn(port), RawConn(port)
    ctl.call("FLUSHALL")
    waiter.send("BLPOP", "l", "0")
    poll(lambda: blocked(ctl) == 1, "waiter blocked")
    writer.sock.sendall(encode("RPUSH", "l", "a", "b") +
                        encode("HSET", "h", "f", "v") +
                        encode("RPOP", "l") + encode("RPOP", "l") +
                        encode("LLEN", "l"))
    out = writer.replies(5)
    out.append(waiter.reply())
    for c in (ctl, waiter, writer):
        c.close()
    return out


def test_blocked_client_served_within_the_pipeline(server, real_redis):  # noqa: F811
    assert served_between(server.port) == served_between(real_redis.port)
    assert served_between(server.port)[:5] == [
        b":2\r\n", b":1\r\n", b"$1\r\nb\r\n", b"$-1\r\n", b":0\r\n"]


def test_other_clients_see_a_run_after_it(server):
    # A reader on another connection never sees a reply of the run before
    # the run's writes: once the writer has the replies, the reader sees
    # every write.
    w, r = RawConn(server.port), RawConn(server.port)
    w.call("FLUSHALL")
    for round_ in range(50):
        cmds = [("HSET", "h%d" % round_, "f%d" % i, "v") for i in range(30)]
        w.sock.sendall(b"".join(encode(*c) for c in cmds))
        assert w.replies(30) == [b":1\r\n"] * 30
        assert r.call("HLEN", "h%d" % round_) == b":30\r\n"
    w.close()
    r.close()


def test_a_run_writes_each_key_once(server):
    # A run rewrites the list's metadata on every LPOP; EXEC rewrites the
    # hash's field and metadata on every HINCRBY. Only the last write of
    # each key reaches the engine (INFO's total_writes counts the engine's
    # records): 16 element deletes and the metadata once; the field and the
    # metadata once. One LPOP alone writes two.
    import redis
    r = redis.Redis(port=server.port)
    c = RawConn(server.port)
    c.call("FLUSHALL")

    def writes():
        return r.info("stats")["total_writes"]

    r.rpush("l", *[str(i) for i in range(40)])
    before = writes()
    c.sock.sendall(b"".join(encode("LPOP", "l") for _ in range(16)))
    assert c.replies(16) == [b"$%d\r\n%d\r\n" % (len(str(i)), i)
                             for i in range(16)]
    assert writes() - before == 17
    before = writes()
    assert c.call("LPOP", "l") == b"$2\r\n16\r\n"
    assert writes() - before == 2
    r.hset("h", "f", 0)
    before = writes()
    p = r.pipeline(transaction=True)
    for _ in range(10):
        p.hincrby("h", "f", 1)
    assert p.execute() == list(range(1, 11))
    assert writes() - before == 2
    c.close()
