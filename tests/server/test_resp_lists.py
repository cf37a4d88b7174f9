"""List commands (LPUSH ... LMPOP) and every other command on a key holding
a list, byte for byte against redis-server 7.0 (real_redis.py), in RESP2 and
RESP3, inside and outside MULTI, with their keyspace events, and a seeded
random sequence of list operations on both servers."""
import random

import pytest

from real_redis import compare_script, fresh_raw, real_redis  # noqa: F401
from test_keyspace_events import run_sequence

I64_MIN = "-9223372036854775808"
I64_MAX = "9223372036854775807"

SCRIPT = [
    ("RPUSH", "l", "a", "b", "c"),
    ("LPUSH", "l", "z", "y"),
    ("RPUSH", "l"),
    ("LRANGE", "l", "0", "-1"),
    ("LLEN", "l"),
    ("LLEN", "nokey"),
    ("LPUSHX", "nokey", "a"),
    ("RPUSHX", "nokey", "a"),
    ("EXISTS", "nokey"),
    ("LPUSHX", "l", "x1", "x2"),
    ("RPUSHX", "l", "e"),
    # LRANGE bounds.
    ("LRANGE", "l", "0", "0"),
    ("LRANGE", "l", "-3", "-1"),
    ("LRANGE", "l", "-100", "100"),
    ("LRANGE", "l", "5", "2"),
    ("LRANGE", "l", "100", "200"),
    ("LRANGE", "l", "2", "-3"),
    ("LRANGE", "l", I64_MIN, I64_MAX),
    ("LRANGE", "l", "x", "1"),
    ("LRANGE", "l", "1", "1.5"),
    ("LRANGE", "nokey", "0", "-1"),
    # LINDEX and LSET.
    ("LINDEX", "l", "0"),
    ("LINDEX", "l", "-1"),
    ("LINDEX", "l", "3"),
    ("LINDEX", "l", "100"),
    ("LINDEX", "l", "-100"),
    ("LINDEX", "l", "x"),
    ("LINDEX", "nokey", "0"),
    ("LINDEX", "nokey", "x"),
    ("LSET", "l", "0", "first"),
    ("LSET", "l", "-1", "last"),
    ("LSET", "l", "100", "v"),
    ("LSET", "l", "-100", "v"),
    ("LSET", "l", "x", "v"),
    ("LSET", "nokey", "0", "v"),
    ("LSET", "nokey", "x", "v"),
    ("LRANGE", "l", "0", "-1"),
    # Pops, with and without counts.
    ("LPOP", "l"),
    ("RPOP", "l"),
    ("LPOP", "l", "2"),
    ("RPOP", "l", "1"),
    ("LPOP", "l", "0"),
    ("LPOP", "l", "-1"),
    ("LPOP", "l", "x"),
    ("LPOP", "l", "1", "2"),
    ("LPOP", "nokey"),
    ("LPOP", "nokey", "2"),
    ("LPOP", "nokey", "0"),
    ("RPOP", "nokey", "-1"),
    ("LRANGE", "l", "0", "-1"),
    ("RPOP", "l", "100"),
    ("EXISTS", "l"),
    ("RPUSH", "one", "x"),
    ("RPOP", "one"),
    ("EXISTS", "one"),
    # LINSERT.
    ("RPUSH", "i", "a", "b", "c", "b"),
    ("LINSERT", "i", "BEFORE", "b", "x"),
    ("LINSERT", "i", "after", "b", "y"),
    ("LINSERT", "i", "AFTER", "c", "z"),
    ("LINSERT", "i", "before", "a", "0"),
    ("LINSERT", "i", "AFTER", "b", "end"),
    ("LINSERT", "i", "BEFORE", "nope", "v"),
    ("LINSERT", "i", "MIDDLE", "b", "v"),
    ("LINSERT", "nokey", "BEFORE", "b", "v"),
    ("LINSERT", "nokey", "MIDDLE", "b", "v"),
    ("LRANGE", "i", "0", "-1"),
    ("RPUSH", "j", "1", "2", "3", "4", "5", "6", "7", "8"),
    ("LINSERT", "j", "AFTER", "7", "7.5"),
    ("LINSERT", "j", "BEFORE", "2", "1.5"),
    ("LINSERT", "j", "AFTER", "8", "9"),
    ("LINSERT", "j", "BEFORE", "1", "0"),
    ("LRANGE", "j", "0", "-1"),
    ("LINDEX", "j", "0"),
    ("LINDEX", "j", "-1"),
    # LREM from either end.
    ("RPUSH", "r", "a", "b", "a", "c", "a", "b", "a"),
    ("LREM", "r", "1", "a"),
    ("LRANGE", "r", "0", "-1"),
    ("LREM", "r", "-1", "a"),
    ("LRANGE", "r", "0", "-1"),
    ("LREM", "r", "0", "b"),
    ("LRANGE", "r", "0", "-1"),
    ("LREM", "r", "5", "zz"),
    ("LREM", "r", I64_MIN, "a"),
    ("LRANGE", "r", "0", "-1"),
    ("LREM", "r", "0", "c"),
    ("EXISTS", "r"),
    ("LREM", "nokey", "0", "a"),
    ("LREM", "r", "x", "a"),
    ("RPUSH", "r", "a", "b", "a", "b", "a", "b"),
    ("LREM", "r", "-2", "b"),
    ("LRANGE", "r", "0", "-1"),
    ("LINDEX", "r", "-1"),
    ("LPUSH", "r", "front"),
    ("RPUSH", "r", "back"),
    ("LRANGE", "r", "0", "-1"),
    # LTRIM.
    ("RPUSH", "t", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
    ("LTRIM", "t", "1", "-2"),
    ("LRANGE", "t", "0", "-1"),
    ("LTRIM", "t", "-3", "100"),
    ("LRANGE", "t", "0", "-1"),
    ("LTRIM", "t", "0", "-1"),
    ("LTRIM", "t", "-100", "0"),
    ("LRANGE", "t", "0", "-1"),
    ("LTRIM", "t", "5", "1"),
    ("EXISTS", "t"),
    ("LTRIM", "nokey", "0", "1"),
    ("LTRIM", "t", "x", "1"),
    ("RPUSH", "t", "a", "b"),
    ("LTRIM", "t", "2", "3"),
    ("EXISTS", "t"),
    # LPOS.
    ("RPUSH", "p", "a", "b", "c", "a", "b", "a", "d"),
    ("LPOS", "p", "a"),
    ("LPOS", "p", "d"),
    ("LPOS", "p", "zz"),
    ("LPOS", "p", "a", "RANK", "2"),
    ("LPOS", "p", "a", "RANK", "-1"),
    ("LPOS", "p", "a", "RANK", "-3"),
    ("LPOS", "p", "a", "RANK", "-4"),
    ("LPOS", "p", "a", "RANK", "4"),
    ("LPOS", "p", "a", "COUNT", "0"),
    ("LPOS", "p", "a", "COUNT", "2"),
    ("LPOS", "p", "a", "COUNT", "2", "RANK", "-1"),
    ("LPOS", "p", "a", "COUNT", "0", "RANK", "2"),
    ("LPOS", "p", "a", "COUNT", "0", "MAXLEN", "4"),
    ("LPOS", "p", "a", "RANK", "-1", "MAXLEN", "1"),
    ("LPOS", "p", "a", "RANK", "-1", "MAXLEN", "3"),
    ("LPOS", "p", "a", "MAXLEN", "0"),
    ("LPOS", "p", "zz", "COUNT", "3"),
    ("LPOS", "p", "a", "RANK", "0"),
    ("LPOS", "p", "a", "RANK", I64_MIN),
    ("LPOS", "p", "a", "RANK", I64_MIN, "COUNT", "1"),
    ("LPOS", "p", "a", "COUNT", "2", "RANK", I64_MIN, "MAXLEN", "3"),
    ("LPOS", "p", "a", "RANK", I64_MAX),
    ("LPOS", "p", "a", "COUNT", "-1"),
    ("LPOS", "p", "a", "MAXLEN", "-1"),
    ("LPOS", "p", "a", "RANK", "x"),
    ("LPOS", "p", "a", "COUNT", "x"),
    ("LPOS", "p", "a", "MAXLEN", "1.5"),
    ("LPOS", "p", "a", "COUNT"),
    ("LPOS", "p", "a", "FOO", "1"),
    ("LPOS", "p", "a", "rank", "1", "count", "1", "maxlen", "1"),
    ("LPOS", "nokey", "a"),
    ("LPOS", "nokey", "a", "COUNT", "2"),
    # LMOVE and RPOPLPUSH.
    ("RPUSH", "src", "1", "2", "3"),
    ("LMOVE", "src", "dst", "LEFT", "RIGHT"),
    ("LMOVE", "src", "dst", "right", "left"),
    ("LMOVE", "src", "src", "LEFT", "RIGHT"),
    ("LRANGE", "src", "0", "-1"),
    ("LMOVE", "src", "src", "RIGHT", "RIGHT"),
    ("LMOVE", "src", "dst", "UP", "LEFT"),
    ("LMOVE", "nokey", "dst", "LEFT", "LEFT"),
    ("RPOPLPUSH", "src", "dst"),
    ("EXISTS", "src"),
    ("LRANGE", "dst", "0", "-1"),
    ("RPOPLPUSH", "nokey", "dst"),
    ("RPOPLPUSH", "dst", "dst"),
    ("LRANGE", "dst", "0", "-1"),
    ("RPUSH", "solo", "x"),
    ("RPOPLPUSH", "solo", "solo"),
    ("LRANGE", "solo", "0", "-1"),
    # LMPOP.
    ("RPUSH", "m1", "a", "b", "c"),
    ("RPUSH", "m2", "d"),
    ("LMPOP", "2", "nokey", "m1", "LEFT"),
    ("LMPOP", "2", "m1", "m2", "RIGHT", "COUNT", "10"),
    ("LMPOP", "2", "m1", "m2", "left", "count", "5"),
    ("LMPOP", "2", "m1", "m2", "LEFT"),
    ("EXISTS", "m1", "m2"),
    ("LMPOP", "1", "nokey", "LEFT"),
    ("LMPOP", "0", "m1", "LEFT"),
    ("LMPOP", "-1", "m1", "LEFT"),
    ("LMPOP", "x", "m1", "LEFT"),
    ("LMPOP", "2", "m1", "LEFT"),
    ("LMPOP", "9", "m1", "LEFT"),
    ("LMPOP", "1", "m1", "MIDDLE"),
    ("LMPOP", "1", "m1", "LEFT", "COUNT", "0"),
    ("LMPOP", "1", "m1", "LEFT", "COUNT", "-1"),
    ("LMPOP", "1", "m1", "LEFT", "COUNT", "x"),
    ("LMPOP", "1", "m1", "LEFT", "COUNT", "1", "COUNT", "2"),
    ("LMPOP", "1", "m1", "LEFT", "COUNT"),
    ("LMPOP", "1", "m1", "LEFT", "FOO"),
    # Wrong types both ways, and keyspace commands on a list.
    ("SET", "str", "v"),
    ("HSET", "h", "f", "v"),
    ("LPUSH", "str", "a"),
    ("RPUSHX", "str", "a"),
    ("LPOP", "str"),
    ("LPOP", "str", "0"),
    ("LLEN", "str"),
    ("LRANGE", "h", "0", "-1"),
    ("LINDEX", "str", "0"),
    ("LINDEX", "str", "x"),
    ("LSET", "str", "x", "v"),
    ("LRANGE", "str", "x", "1"),
    ("LSET", "str", "0", "v"),
    ("LINSERT", "str", "BEFORE", "a", "b"),
    ("LREM", "str", "0", "a"),
    ("LTRIM", "str", "0", "1"),
    ("LPOS", "str", "a"),
    ("RPUSH", "lst", "a", "b"),
    ("LMOVE", "lst", "str", "LEFT", "LEFT"),
    ("LMOVE", "str", "lst", "LEFT", "LEFT"),
    ("LMOVE", "nokey", "str", "LEFT", "LEFT"),
    ("RPOPLPUSH", "lst", "h"),
    ("LMPOP", "3", "nokey", "str", "lst", "LEFT"),
    ("LMPOP", "2", "lst", "str", "LEFT"),
    ("LRANGE", "lst", "0", "-1"),
    ("GET", "lst"),
    ("HGET", "lst", "f"),
    ("SADD", "lst", "m"),
    ("APPEND", "lst", "x"),
    ("TYPE", "lst"),
    ("OBJECT", "ENCODING", "lst"),
    ("RPUSH", "big", *["e%d" % i for i in range(200)]),
    ("OBJECT", "ENCODING", "big"),
    ("EXPIRE", "lst", "100"),
    ("TTL", "lst"),
    ("PERSIST", "lst"),
    ("RENAME", "lst", "lst2"),
    ("LRANGE", "lst2", "0", "-1"),
    ("COPY", "lst2", "lst3"),
    ("LPUSH", "lst3", "c"),
    ("LRANGE", "lst3", "0", "-1"),
    ("LRANGE", "lst2", "0", "-1"),
    ("MOVE", "lst3", "1"),
    ("SELECT", "1"),
    ("LRANGE", "lst3", "0", "-1"),
    ("SELECT", "0"),
    ("SET", "lst2", "now a string"),
    ("TYPE", "lst2"),
    ("RPUSH", "lst2", "x"),
    ("DEL", "big", "lst2"),
    ("LLEN", "big"),
    ("RPUSH", "big", "again"),
    ("LRANGE", "big", "0", "-1"),
]


@pytest.mark.parametrize("proto", [2, 3])
def test_list_commands_match_redis(server, real_redis, proto):  # noqa: F811
    ours = fresh_raw(server.port, proto)
    theirs = fresh_raw(real_redis.port, proto)
    bad = compare_script(ours, theirs, SCRIPT)
    assert not bad, "\n".join("%r: shale %r, redis %r" % x for x in bad)


@pytest.mark.parametrize("proto", [2, 3])
def test_list_commands_in_multi_match_redis(server, real_redis,  # noqa: F811
                                            proto):
    """Inside MULTI, each command sees the earlier ones' pending writes:
    pushes, pops and moves on the same list one after another."""
    script = [("MULTI",)] + [s for s in SCRIPT
                             if s[0] not in ("SELECT", "MOVE")] + [("EXEC",)]
    ours = fresh_raw(server.port, proto)
    theirs = fresh_raw(real_redis.port, proto)
    bad = compare_script(ours, theirs, script)
    assert not bad, "\n".join("%r: shale %r, redis %r" % x for x in bad)


LIST_EVENTS = [
    ("RPUSH", "l", "a", "b", "c", "d"),
    ("LPUSH", "l", "z"),
    ("LPUSHX", "l", "y"),
    ("RPUSHX", "l", "e"),
    ("LPUSHX", "nokey", "y"),
    ("LPOP", "l"),
    ("RPOP", "l", "2"),
    ("LSET", "l", "0", "v"),
    ("LINSERT", "l", "BEFORE", "b", "x"),
    ("LINSERT", "l", "BEFORE", "nope", "x"),
    ("LREM", "l", "0", "x"),
    ("LREM", "l", "0", "nope"),
    ("LTRIM", "l", "0", "-1"),
    ("LTRIM", "l", "1", "-1"),
    ("LLEN", "nokey"),
    ("LRANGE", "nokey", "0", "1"),
    ("LINDEX", "nokey", "0"),
    ("LPOS", "nokey", "a"),
    ("LMOVE", "l", "m", "LEFT", "RIGHT"),
    ("RPOPLPUSH", "m", "m"),
    ("RPOPLPUSH", "l", "m"),
    ("LMPOP", "2", "nokey", "m", "LEFT", "COUNT", "5"),
    ("RPUSH", "t", "1", "2"),
    ("LTRIM", "t", "5", "6"),
    ("RPUSH", "t", "1"),
    ("LREM", "t", "0", "1"),
    ("RPUSH", "t", "1"),
    ("LPOP", "t", "1"),
]


@pytest.mark.parametrize("flags", ["KEA", "KEgl$nm"])
def test_list_events_match_redis(server, real_redis, flags):  # noqa: F811
    theirs = run_sequence(real_redis.port, flags, LIST_EVENTS)
    ours = run_sequence(server.port, flags, LIST_EVENTS)
    assert ours == theirs
    assert len(theirs["events"]) > 40


def test_watch_sees_list_writes(server, real_redis):  # noqa: F811
    """A list write by another client aborts a WATCHing transaction; a
    command that writes nothing (a pop of an absent key) does not. LTRIM
    that keeps everything still counts as a write, as in Redis."""
    cases = [("RPUSH", "w", "x"), ("LPOP", "w"), ("LTRIM", "w", "0", "-1"),
             ("LSET", "w", "0", "a"), ("LREM", "w", "0", "zz"),
             ("LPOP", "nokey"), ("LINSERT", "w", "BEFORE", "zz", "v"),
             ("LMOVE", "nokey", "w", "LEFT", "LEFT")]
    for step in cases:
        replies = []
        for port in (server.port, real_redis.port):
            a, b = fresh_raw(port, 2), fresh_raw(port, 2)
            a.call("RPUSH", "w", "a", "b")
            a.call("WATCH", "w")
            b.call(*step)
            a.call("MULTI")
            a.call("PING")
            replies.append(a.call("EXEC"))
        assert replies[0] == replies[1], (step, replies)


def test_random_list_ops_match_redis(server, real_redis):  # noqa: F811
    """Random pushes, pops, edits and reads on a few keys."""
    seed = random.randrange(1 << 30)
    print("seed", seed)
    rng = random.Random(seed)
    ours = fresh_raw(server.port, 2)
    theirs = fresh_raw(real_redis.port, 2)
    keys = ["k1", "k2", "k3"]
    vals = ["a", "b", "c", "d"]
    ends = ["LEFT", "RIGHT"]

    def idx():
        return str(rng.randrange(-8, 8))

    for i in range(2000):
        k, v = rng.choice(keys), rng.choice(vals)
        op = rng.randrange(16)
        if op <= 3:
            step = (rng.choice(["LPUSH", "RPUSH"]), k) + tuple(
                rng.choice(vals) for _ in range(rng.randrange(1, 4)))
        elif op == 4:
            step = (rng.choice(["LPOP", "RPOP"]), k) + (
                (str(rng.randrange(4)),) if rng.randrange(2) else ())
        elif op == 5:
            step = ("LRANGE", k, idx(), idx())
        elif op == 6:
            step = ("LINDEX", k, idx())
        elif op == 7:
            step = ("LSET", k, idx(), v)
        elif op == 8:
            step = ("LINSERT", k, rng.choice(["BEFORE", "AFTER"]), v,
                    rng.choice(vals))
        elif op == 9:
            step = ("LREM", k, str(rng.randrange(-3, 4)), v)
        elif op == 10:
            step = ("LTRIM", k, idx(), idx()) if rng.randrange(3) == 0 else (
                "LLEN", k)
        elif op == 11:
            step = ("LPOS", k, v, "RANK", rng.choice(["1", "2", "-1", "-2"]),
                    "COUNT", str(rng.randrange(3)))
        elif op == 12:
            step = ("LMOVE", k, rng.choice(keys), rng.choice(ends),
                    rng.choice(ends))
        elif op == 13:
            step = ("LMPOP", "2") + tuple(rng.sample(keys, 2)) + (
                rng.choice(ends), "COUNT", str(rng.randrange(1, 4)))
        elif op == 14:
            step = ("RPOPLPUSH", k, rng.choice(keys))
        else:
            step = ("LRANGE", k, "0", "-1")
        a, b = ours.call(*step), theirs.call(*step)
        assert a == b, (seed, i, step, a, b)


def test_memcached_and_http_refuse_a_list(server, r):
    import socket
    import urllib.error
    import urllib.request
    r.rpush("coll", "e")
    s = socket.create_connection(("127.0.0.1", server.mc_port), timeout=10)
    f = s.makefile("rb")
    err = b"CLIENT_ERROR key holds a Redis list, not a memcached item\r\n"
    for line, data in ((b"get coll", None), (b"set coll 0 0 1", b"x"),
                       (b"delete coll", None)):
        s.sendall(line + b"\r\n" + (data + b"\r\n" if data else b""))
        assert f.readline() == err
    s.close()
    req = urllib.request.Request(
        "http://127.0.0.1:%d/v1/kv/coll" % server.http_port, method="GET")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=10)
    assert e.value.code == 409
    assert r.lrange("coll", 0, -1) == [b"e"]


def test_reliable_queue_with_lmove(server):
    """redis-py's reliable-queue pattern without blocking: producers RPUSH,
    a worker LMOVEs a job into its processing list, then LREMs it when
    done; a crashed worker's jobs are requeued from its list."""
    c = server.redis(decode_responses=True)
    c.flushall()
    c.rpush("jobs", *["job%d" % i for i in range(10)])
    done = []
    while True:
        job = c.lmove("jobs", "processing", "LEFT", "RIGHT")
        if job is None:
            break
        if job == "job5":
            continue  # this worker "crashes": job5 stays in processing
        done.append(job)
        assert c.lrem("processing", 1, job) == 1
    assert c.lrange("processing", 0, -1) == ["job5"]
    while c.rpoplpush("processing", "jobs") is not None:
        pass
    assert c.lrange("jobs", 0, -1) == ["job5"]
    assert len(done) == 9 and c.exists("processing") == 0
    c.close()
