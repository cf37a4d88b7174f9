"""Set commands (SADD ... SSCAN) and every other command on a key holding a
set, byte for byte against redis-server 7.0 (real_redis.py), in RESP2 and
RESP3.

shale returns a set's members in byte order; Redis in sorted-integer order
for a small set of integers (intset) and in hash-table order otherwise.
The scripts use single-digit members where a whole reply is compared
exactly (both orders agree); other whole-set replies are compared as
multisets of lines (docs/protocols.md).
"""
import random
import time

import pytest

from real_redis import real_redis  # noqa: F401 (fixture)
from resp_raw import RawConn
from test_keyspace_events import run_sequence

SCRIPT = [
    ("SADD", "s", "3", "1", "2"),
    ("SADD", "s", "2", "4", "4"),
    ("SADD", "s"),
    ("SMEMBERS", "s"),
    ("SMEMBERS", "nokey"),
    ("SCARD", "s"),
    ("SCARD", "nokey"),
    ("SISMEMBER", "s", "1"),
    ("SISMEMBER", "s", "9"),
    ("SISMEMBER", "nokey", "1"),
    ("SISMEMBER", "s"),
    ("SMISMEMBER", "s", "1", "9", "4"),
    ("SMISMEMBER", "nokey", "1"),
    ("SMISMEMBER", "s"),
    ("SREM", "s", "4", "9", "4"),
    ("SREM", "s", "9"),
    ("SREM", "nokey", "1"),
    ("SREM", "s"),
    ("SMEMBERS", "s"),
    ("SADD", "one", "x"),
    ("SREM", "one", "x"),
    ("EXISTS", "one"),
    # Deterministic random picks: single members, whole sets.
    ("SADD", "one", "x"),
    ("SRANDMEMBER", "one"),
    ("SRANDMEMBER", "one", "1"),
    ("SRANDMEMBER", "one", "-3"),
    ("SRANDMEMBER", "s", "10"),
    ("SRANDMEMBER", "s", "3"),
    ("SRANDMEMBER", "s", "0"),
    ("SRANDMEMBER", "s", "x"),
    ("SRANDMEMBER", "s", "1", "2"),
    ("SRANDMEMBER", "s", "-9223372036854775808"),
    ("SRANDMEMBER", "nokey"),
    ("SRANDMEMBER", "nokey", "5"),
    ("SRANDMEMBER", "nokey", "-5"),
    ("SRANDMEMBER", "nokey", "x"),
    ("SPOP", "one"),
    ("SPOP", "one"),
    ("EXISTS", "one"),
    ("SADD", "one", "x"),
    ("SPOP", "one", "1"),
    ("SPOP", "nokey", "2"),
    ("SPOP", "nokey", "0"),
    ("SPOP", "nokey", "-1"),
    ("SPOP", "s", "-1"),
    ("SPOP", "s", "x"),
    ("SPOP", "s", "1", "2"),
    ("SPOP", "s", "0"),
    ("SADD", "p", "1", "2", "3"),
    ("SPOP", "p", "3"),
    ("EXISTS", "p"),
    ("SADD", "p", "1", "2", "3"),
    ("SPOP", "p", "10"),
    ("EXISTS", "p"),
    # SMOVE.
    ("SADD", "a", "1", "2", "3"),
    ("SMOVE", "a", "b", "1"),
    ("SMOVE", "a", "b", "1"),
    ("SMOVE", "a", "a", "2"),
    ("SMOVE", "a", "a", "9"),
    ("SMOVE", "nokey", "b", "1"),
    ("SMOVE", "a", "b", "2"),
    ("SMEMBERS", "a"),
    ("SMEMBERS", "b"),
    ("SADD", "b", "3"),
    ("SMOVE", "a", "b", "3"),
    ("EXISTS", "a"),
    ("SMEMBERS", "b"),
    # Algebra.
    ("SADD", "x", "1", "2", "3", "4", "5"),
    ("SADD", "y", "2", "4", "6"),
    ("SADD", "z", "4", "5", "6", "7"),
    ("SINTER", "x", "y"),
    ("SINTER", "x", "y", "z"),
    ("SINTER", "x"),
    ("SINTER", "x", "x"),
    ("SINTER", "x", "nokey"),
    ("SINTER", "nokey", "x"),
    ("SUNION", "x", "y", "z"),
    ("SUNION", "x", "nokey"),
    ("SUNION", "nokey"),
    ("SDIFF", "x", "y"),
    ("SDIFF", "x", "y", "z"),
    ("SDIFF", "x", "x"),
    ("SDIFF", "x", "nokey"),
    ("SDIFF", "nokey", "x"),
    ("SINTERCARD", "2", "x", "y"),
    ("SINTERCARD", "3", "x", "y", "z"),
    ("SINTERCARD", "1", "x", "LIMIT", "2"),
    ("SINTERCARD", "1", "x", "LIMIT", "0"),
    ("SINTERCARD", "1", "x", "LIMIT", "1", "LIMIT", "3"),
    ("SINTERCARD", "2", "x", "nokey"),
    ("SINTERCARD", "0", "x"),
    ("SINTERCARD", "x", "x"),
    ("SINTERCARD", "-1", "x"),
    ("SINTERCARD", "3", "x", "y"),
    ("SINTERCARD", "1", "x", "LIMIT"),
    ("SINTERCARD", "1", "x", "LIMIT", "-1"),
    ("SINTERCARD", "1", "x", "LIMIT", "x"),
    ("SINTERCARD", "1", "x", "FOO", "1"),
    ("SINTERCARD", "1"),
    ("SINTERSTORE", "d", "x", "y"),
    ("SMEMBERS", "d"),
    ("SINTERSTORE", "d", "x", "nokey"),
    ("EXISTS", "d"),
    ("SINTERSTORE", "d", "nokey"),
    ("SUNIONSTORE", "d", "x", "y"),
    ("SMEMBERS", "d"),
    ("EXPIRE", "d", "100"),
    ("SDIFFSTORE", "d", "x", "y"),
    ("TTL", "d"),
    ("SMEMBERS", "d"),
    ("SDIFFSTORE", "d", "y", "y"),
    ("EXISTS", "d"),
    ("SINTERSTORE", "x", "x", "z"),
    ("SMEMBERS", "x"),
    ("SUNIONSTORE", "x", "x", "y"),
    ("SMEMBERS", "x"),
    ("SDIFFSTORE", "x", "x", "y"),
    ("SMEMBERS", "x"),
    ("SSCAN", "z", "0"),
    ("SSCAN", "z", "0", "MATCH", "[45]"),
    ("SSCAN", "z", "0", "COUNT", "0"),
    ("SSCAN", "z", "0", "COUNT", "x"),
    ("SSCAN", "z", "0", "FOO", "1"),
    ("SSCAN", "z", "0", "COUNT"),
    ("SSCAN", "z", "x"),
    ("SSCAN", "nokey", "0"),
    ("SSCAN", "nokey", "0", "FOO", "bar"),
    # Set commands on a string and on a hash.
    ("SET", "str", "v"),
    ("HSET", "h", "f", "v"),
    ("SADD", "str", "a"),
    ("SREM", "str", "a"),
    ("SMEMBERS", "str"),
    ("SISMEMBER", "str", "a"),
    ("SMISMEMBER", "h", "a"),
    ("SCARD", "h"),
    ("SPOP", "h"),
    ("SPOP", "str", "2"),
    ("SPOP", "str", "0"),
    ("SPOP", "str", "-1"),
    ("SRANDMEMBER", "h"),
    ("SRANDMEMBER", "str", "2"),
    ("SRANDMEMBER", "str", "0"),
    ("SRANDMEMBER", "str", "x"),
    ("SMOVE", "str", "z", "4"),
    ("SMOVE", "z", "str", "4"),
    ("SMOVE", "z", "h", "99"),
    ("SMOVE", "nokey", "str", "4"),
    ("SINTER", "z", "str"),
    ("SINTER", "nokey", "str"),
    ("SINTER", "str", "nokey"),
    ("SUNION", "z", "h"),
    ("SDIFF", "nokey", "h"),
    ("SDIFF", "z", "nokey", "str"),
    ("SINTERCARD", "2", "nokey", "str"),
    ("SINTERSTORE", "d", "str", "z"),
    ("SINTERSTORE", "d", "nokey", "h"),
    ("SUNIONSTORE", "d", "z", "h"),
    ("SDIFFSTORE", "d", "z", "h"),
    ("SSCAN", "h", "0"),
    ("SUNIONSTORE", "str", "z"),
    ("TYPE", "str"),
    ("SMEMBERS", "str"),
    ("SDIFFSTORE", "h", "z", "y"),
    ("TYPE", "h"),
    ("SMEMBERS", "h"),
    # Hash and string commands on a set.
    ("HSET", "z", "f", "v"),
    ("HGET", "z", "f"),
    ("HGETALL", "z"),
    ("HLEN", "z"),
    ("HSCAN", "z", "0"),
    ("HRANDFIELD", "z"),
    ("GET", "z"),
    ("APPEND", "z", "x"),
    ("INCR", "z"),
    ("STRLEN", "z"),
    ("GETRANGE", "z", "0", "1"),
    ("SETRANGE", "z", "0", "x"),
    ("MGET", "z", "nokey"),
    ("SET", "z", "x", "NX"),
    ("SET", "z", "x", "GET"),
    ("TYPE", "z"),
    # Keyspace commands on a set.
    ("EXPIRE", "z", "100"),
    ("TTL", "z"),
    ("SADD", "z", "8"),
    ("TTL", "z"),
    ("PERSIST", "z"),
    ("TTL", "z"),
    ("PEXPIREAT", "z", "99999999999999"),
    ("RENAME", "z", "z2"),
    ("SMEMBERS", "z2"),
    ("PEXPIRETIME", "z2"),
    ("RENAMENX", "z2", "str"),
    ("MOVE", "z2", "1"),
    ("SELECT", "1"),
    ("SMEMBERS", "z2"),
    ("MOVE", "z2", "0"),
    ("SELECT", "0"),
    ("SCAN", "0", "TYPE", "set", "COUNT", "100"),
    ("DBSIZE",),
    ("SET", "z2", "now a string"),
    ("TYPE", "z2"),
    ("SADD", "z2", "1"),
    ("DEL", "str"),
    ("SADD", "g", "5"),
    ("EXPIRE", "g", "-1"),
    ("EXISTS", "g"),
    ("SADD", "g", "6"),
    ("SWAPDB", "0", "1"),
    ("SMEMBERS", "g"),
    ("SWAPDB", "0", "1"),
    ("SMEMBERS", "g"),
    ("FLUSHDB",),
    ("SMEMBERS", "g"),
]

# Replies compared as multisets of lines (key order of SCAN differs by
# design).
UNORDERED = {("SCAN", "0", "TYPE", "set", "COUNT", "100")}


def run_script(ours, theirs, script):
    bad = []
    for step in script:
        a, b = ours.call(*step), theirs.call(*step)
        if step in UNORDERED:
            a, b = sorted(a.split(b"\r\n")), sorted(b.split(b"\r\n"))
        if a != b:
            bad.append((step, a, b))
    return bad


def connect(server, real_redis, proto):  # noqa: F811
    ours, theirs = RawConn(server.port), RawConn(real_redis.port)
    for c in (ours, theirs):
        c.call("FLUSHALL")
        if proto == 3:
            c.call("HELLO", "3")
    return ours, theirs


@pytest.mark.parametrize("proto", [2, 3])
def test_set_commands_match_redis(server, real_redis, proto):  # noqa: F811
    ours, theirs = connect(server, real_redis, proto)
    bad = run_script(ours, theirs, SCRIPT)
    assert not bad, "\n".join("%r: shale %r, redis %r" % x for x in bad)


@pytest.mark.parametrize("proto", [2, 3])
def test_set_commands_in_multi_match_redis(server, real_redis,  # noqa: F811
                                           proto):
    """Inside MULTI, each command sees the earlier ones' pending writes,
    *STORE destinations included."""
    script = [("MULTI",)] + [s for s in SCRIPT[:150]
                             if s[0] not in ("SELECT", "SWAPDB", "FLUSHDB",
                                             "MOVE")] + [("EXEC",)]
    ours, theirs = connect(server, real_redis, proto)
    bad = run_script(ours, theirs, script)
    assert not bad, "\n".join("%r: shale %r, redis %r" % x for x in bad)


def lines(reply):
    """A whole-set reply as a sorted list of its members' lines."""
    return sorted(reply.split(b"\r\n")[1:])


def test_random_set_ops_match_redis(server, real_redis):  # noqa: F811
    """Random writes and reads on a few keys; replies that are whole sets
    compare as sorted lines (Redis's order is its hash table's)."""
    seed = random.randrange(1 << 30)
    print("seed", seed)
    rng = random.Random(seed)
    ours, theirs = connect(server, real_redis, 2)
    keys = ["k1", "k2", "k3", "k4"]
    members = ["m%d" % i for i in range(10)] + [str(i) for i in range(10)]
    whole = {"SMEMBERS", "SINTER", "SUNION", "SDIFF"}
    for i in range(1500):
        k, m = rng.choice(keys), rng.choice(members)
        op = rng.randrange(14)
        if op <= 2:
            step = ("SADD", k, m, rng.choice(members))
        elif op == 3:
            step = ("SREM", k, m, rng.choice(members))
        elif op == 4:
            step = ("SISMEMBER", k, m)
        elif op == 5:
            step = ("SMISMEMBER", k, m, rng.choice(members))
        elif op == 6:
            step = ("SCARD", k)
        elif op == 7:
            step = ("SMOVE", k, rng.choice(keys), m)
        elif op == 8:
            step = (rng.choice(["SINTER", "SUNION", "SDIFF"]),) + tuple(
                rng.sample(keys, rng.randrange(1, 4)))
        elif op == 9:
            step = (rng.choice(["SINTERSTORE", "SUNIONSTORE",
                                "SDIFFSTORE"]), k) + tuple(
                rng.sample(keys, rng.randrange(1, 4)))
        elif op == 10:
            step = ("SINTERCARD", "2") + tuple(rng.sample(keys, 2)) + (
                "LIMIT", str(rng.randrange(4)))
        elif op == 11:
            step = ("DEL", k) if rng.randrange(8) == 0 else ("SMEMBERS", k)
        elif op == 12:
            step = ("SET", k, "s") if rng.randrange(8) == 0 else ("TYPE", k)
        else:
            step = ("SPOP", k, "100") if rng.randrange(4) == 0 else (
                "SCARD", k)
        a, b = ours.call(*step), theirs.call(*step)
        if step[0] in whole or step[0] == "SPOP":
            a, b = lines(a), lines(b)
        assert a == b, (seed, i, step, a, b)


def test_sscan_walks_a_big_set_across_writes(r):
    """A cursor names the next member: a scan returns every member that
    lives through it exactly once, whatever is written meanwhile."""
    r.sadd("big", *["m%04d" % i for i in range(1000)])
    seen = []
    cursor = 0
    rounds = 0
    while True:
        cursor, page = r.sscan("big", cursor, count=50)
        seen.extend(page)
        r.sadd("big", "new%d" % rounds)
        r.srem("big", "m%04d" % (999 - rounds))
        rounds += 1
        if cursor == 0:
            break
    assert rounds > 5
    assert len(seen) == len(set(seen))
    for i in range(0, 1000 - rounds):
        assert b"m%04d" % i in seen
    # MATCH filters what a page visits; a small set comes whole.
    r.sadd("small", "a1", "b1", "a2")
    assert r.sscan("small", 0, match="a*") == (0, [b"a1", b"a2"])


def test_spop_srandmember_distribution(r):
    """Every member is picked, at about the same rate (a loose check that
    catches a walk that never reaches the end or the start)."""
    seed = random.randrange(1 << 30)
    print("seed", seed)
    n = 20
    r.sadd("d", *["m%02d" % i for i in range(n)])
    counts = {}
    for _ in range(200):
        for m in r.srandmember("d", -20):
            counts[m] = counts.get(m, 0) + 1
    assert len(counts) == n
    # 4000 picks: each member's expected 200; allow a wide band.
    assert min(counts.values()) > 100 and max(counts.values()) < 320, counts
    picks = r.srandmember("d", 15)
    assert len(picks) == 15 and len(set(picks)) == 15
    popped = set()
    while r.scard("d"):
        got = r.spop("d", 3)
        assert got and not (set(got) & popped)
        popped |= set(got)
    assert len(popped) == n and r.exists("d") == 0
    firsts = {}
    for _ in range(300):
        r.sadd("e", "a", "b", "c")
        m = r.spop("e")
        firsts[m] = firsts.get(m, 0) + 1
        r.delete("e")
    assert len(firsts) == 3 and min(firsts.values()) > 50, firsts


def test_srandmember_huge_negative_count_is_refused_quickly(r):
    """Redis 7.0 builds a reply of 2^31 members; shale refuses at once."""
    r.sadd("s", "a", "b")
    r.hset("h", "f", "v")
    start = time.monotonic()
    for cmd in (("SRANDMEMBER", "s", "-2147483648"),
                ("HRANDFIELD", "h", "-2147483648"),
                ("HRANDFIELD", "h", "-2147483648", "WITHVALUES")):
        with pytest.raises(Exception) as e:
            r.execute_command(*cmd)
        assert "proto-max-bulk-len" in str(e.value)
    assert time.monotonic() - start < 5
    assert len(r.srandmember("s", -1000)) == 1000
    assert r.ping()


SET_EVENTS = [
    ("SADD", "s", "a", "b", "c"), ("SADD", "s", "a"), ("SREM", "s", "a", "x"),
    ("SREM", "s", "b", "c"), ("SREM", "s", "b"),
    ("SADD", "s", "a", "b", "c", "d"), ("SPOP", "s", "0"),
    ("SPOP", "s", "10"), ("SADD", "one", "x"), ("SPOP", "one"),
    ("SPOP", "one"), ("SADD", "t", "a", "b", "x"),
    ("SADD", "u", "a", "b", "y"), ("SINTERSTORE", "d", "t", "u"),
    ("SINTERSTORE", "d", "t", "u"), ("SINTERSTORE", "d", "t", "nokey"),
    ("SINTERSTORE", "d", "t", "nokey"), ("SUNIONSTORE", "d", "t", "u"),
    ("SDIFFSTORE", "d", "t", "u"), ("SDIFFSTORE", "d", "t", "t"),
    ("SET", "str", "v"), ("SUNIONSTORE", "str", "t"),
    ("SMOVE", "t", "v", "x"), ("SMOVE", "t", "v", "x"),
    ("SMOVE", "t", "u", "a"), ("SMOVE", "t", "v", "b"),
    ("SMOVE", "nokey", "v", "b"), ("SINTER", "u", "nokey", "nokey2"),
    ("SUNION", "nokey"), ("SDIFF", "nokey"), ("SMEMBERS", "nokey"),
    ("SISMEMBER", "nokey", "a"), ("SMISMEMBER", "nokey", "a"),
    ("SCARD", "nokey"), ("SRANDMEMBER", "nokey"),
    ("SRANDMEMBER", "nokey", "2"), ("SSCAN", "nokey", "0"),
    ("SINTERCARD", "2", "u", "nokey"), ("SREM", "nokey", "a"),
    ("SPOP", "nokey"), ("SPOP", "nokey", "2"),
    ("SADD", "q", "1"), ("EXPIRE", "q", "100"), ("SADD", "q", "2"),
    ("RENAME", "q", "q2"), ("DEL", "q2"),
]


# Not "KEAnm": shale's notify-keyspace-events keeps its flags as the
# canonical string, which (as Redis prints it) drops "n" next to "A".
@pytest.mark.parametrize("flags", ["KEA", "KEg$shxnm"])
def test_set_events_match_redis(server, real_redis, flags):  # noqa: F811
    theirs = run_sequence(real_redis.port, flags, SET_EVENTS)
    ours = run_sequence(server.port, flags, SET_EVENTS)
    # SPOP 10 of a 3-member set answers its members in each server's order.
    for out in (ours, theirs):
        out["replies"] = [lines(x) if x.startswith(b"*") else x
                          for x in out["replies"]]
    assert ours == theirs
    assert len(theirs["events"]) > 40


def test_memcached_and_http_refuse_a_set(server, r):
    import socket
    import urllib.error
    import urllib.request
    r.sadd("coll", "m")
    s = socket.create_connection(("127.0.0.1", server.mc_port), timeout=10)
    f = s.makefile("rb")
    err = b"CLIENT_ERROR key holds a Redis set, not a memcached item\r\n"
    for line, data in ((b"get coll", None), (b"set coll 0 0 1", b"x"),
                       (b"delete coll", None), (b"incr coll 1", None)):
        s.sendall(line + b"\r\n" + (data + b"\r\n" if data else b""))
        assert f.readline() == err
    s.close()
    req = urllib.request.Request(
        "http://127.0.0.1:%d/v1/kv/coll" % server.http_port, method="GET")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=10)
    assert e.value.code == 409
    assert b"a Redis set" in e.value.read()
    assert r.smembers("coll") == {b"m"}


def test_tag_sets_with_sinterstore_and_expiry(server):
    """A redis-py tagging pattern: items tagged with SADD, a query cached
    with SINTERSTORE and a short expiry, then refreshed when it lapses."""
    c = server.redis(decode_responses=True)
    c.flushall()
    items = {"post:1": ["python", "db"], "post:2": ["python", "web"],
             "post:3": ["db", "web", "python"], "post:4": ["go"]}
    for item, tags in items.items():
        with c.pipeline(transaction=True) as p:
            for t in tags:
                p.sadd("tag:" + t, item)
            p.sadd(item + ":tags", *tags)
            p.execute()

    def query(*tags):
        dst = "q:" + "+".join(sorted(tags))
        if not c.exists(dst):
            with c.pipeline(transaction=True) as p:
                p.sinterstore(dst, ["tag:" + t for t in tags])
                p.pexpire(dst, 300)
                p.execute()
        return c.smembers(dst)

    assert query("python", "db") == {"post:1", "post:3"}
    assert 0 < c.pttl("q:db+python") <= 300
    assert query("python", "web", "db") == {"post:3"}
    assert query("go", "python") == set()
    assert c.exists("q:go+python") == 0  # an empty result stores nothing
    # Retag: the cached query lapses, the next one sees the change.
    c.srem("tag:db", "post:1")
    c.srem("post:1:tags", "db")
    deadline = time.monotonic() + 5
    while c.exists("q:db+python") and time.monotonic() < deadline:
        time.sleep(0.01)
    assert query("python", "db") == {"post:3"}
    assert c.sunion("post:1:tags", "post:4:tags") == {"python", "go"}
    assert c.sdiff("tag:python", "tag:web") == {"post:1"}
    assert c.sintercard(2, ["tag:python", "tag:web"]) == 2
    assert sorted(c.scan_iter(match="tag:*", _type="set")) == [
        "tag:db", "tag:go", "tag:python", "tag:web"]
    c.close()


L64, L65 = "x" * 64, "y" * 65
ENCODINGS = [
    ("HSET", "h", "f", L64), ("OBJECT", "ENCODING", "h"),
    ("HSET", "h", "f", L65), ("OBJECT", "ENCODING", "h"),
    ("HDEL", "h", "f"), ("HSET", "h", "f", "1"), ("OBJECT", "ENCODING", "h"),
    ("HSET", "h2", L65, "1"), ("OBJECT", "ENCODING", "h2"),
    ("HSET", "h3", "a", "1"), ("HSETNX", "h3", "a", L65),
    ("OBJECT", "ENCODING", "h3"), ("HSETNX", "h3", "b", L65),
    ("OBJECT", "ENCODING", "h3"),
    ("HSET", "h4", "a", "1"), ("HINCRBY", "h4", L65, "1"),
    ("OBJECT", "ENCODING", "h4"),
    ("HSET", "h5", "a", "1"), ("HINCRBYFLOAT", "h5", "a", "1e70"),
    ("OBJECT", "ENCODING", "h5"),
    ("HSET", "h6", "a", "1", L65, "2"), ("HDEL", "h6", L65),
    ("OBJECT", "ENCODING", "h6"), ("RENAME", "h6", "h7"),
    ("OBJECT", "ENCODING", "h7"),
    ("CONFIG", "SET", "hash-max-listpack-entries", "3"),
    ("HSET", "h8", "a", "1", "b", "2", "c", "3"), ("OBJECT", "ENCODING", "h8"),
    ("HSET", "h8", "d", "4"), ("OBJECT", "ENCODING", "h8"),
    ("HDEL", "h8", "a", "b"), ("OBJECT", "ENCODING", "h8"),
    ("DEL", "h8"), ("HSET", "h8", "a", "1"), ("OBJECT", "ENCODING", "h8"),
    ("CONFIG", "SET", "hash-max-listpack-entries", "512"),
    ("SADD", "s", "1", "2", "-3"), ("OBJECT", "ENCODING", "s"),
    ("SADD", "s", "01"), ("OBJECT", "ENCODING", "s"),
    ("SREM", "s", "01"), ("OBJECT", "ENCODING", "s"),
    ("SADD", "s2", "a"), ("OBJECT", "ENCODING", "s2"),
    ("SADD", "s3", "9223372036854775807", "-9223372036854775808"),
    ("OBJECT", "ENCODING", "s3"),
    ("SADD", "s4", "9223372036854775808"), ("OBJECT", "ENCODING", "s4"),
    ("SADD", "s5", " 1", "+1"), ("OBJECT", "ENCODING", "s5"),
    ("SADD", "s6", "-0"), ("OBJECT", "ENCODING", "s6"),
    ("SADD", "a", "1", "2", "x"), ("SADD", "b", "1", "2", "y"),
    ("SINTERSTORE", "d", "a", "b"), ("OBJECT", "ENCODING", "d"),
    ("SUNIONSTORE", "d", "a", "b"), ("OBJECT", "ENCODING", "d"),
    ("SDIFFSTORE", "d", "a", "b"), ("OBJECT", "ENCODING", "d"),
    ("SMOVE", "a", "e", "1"), ("OBJECT", "ENCODING", "e"),
    ("SMOVE", "a", "e", "x"), ("OBJECT", "ENCODING", "e"),
    ("SMOVE", "e", "f", "x"), ("OBJECT", "ENCODING", "f"),
    ("CONFIG", "SET", "set-max-intset-entries", "3"),
    ("SADD", "i", "1", "2", "3"), ("OBJECT", "ENCODING", "i"),
    ("SSCAN", "i", "0", "COUNT", "1"),
    ("SADD", "i", "4"), ("OBJECT", "ENCODING", "i"),
    ("SREM", "i", "1", "2", "3"), ("OBJECT", "ENCODING", "i"),
    ("CONFIG", "SET", "set-max-intset-entries", "512"),
    ("OBJECT", "ENCODING", "nokey"),
]


@pytest.mark.parametrize("proto", [2, 3])
def test_object_encoding_matches_redis(server, real_redis, proto):  # noqa: F811
    """Hash and set encodings as Redis 7.0 derives them from the writes:
    listpack/intset until a threshold is crossed, then hashtable for
    good (a new incarnation starts compact)."""
    ours, theirs = connect(server, real_redis, proto)
    try:
        bad = run_script(ours, theirs, ENCODINGS)
    finally:
        for c in (ours, theirs):
            c.call("CONFIG", "SET", "hash-max-listpack-entries", "512")
            c.call("CONFIG", "SET", "set-max-intset-entries", "512")
    assert not bad, "\n".join("%r: shale %r, redis %r" % x for x in bad)


def test_encoding_survives_a_restart(server):
    """The big bit is in the metadata: a restart does not forget it (Redis
    re-derives it on load: docs/protocols.md)."""
    c = server.redis()
    c.flushall()
    c.hset("h", mapping={"f": "y" * 65, "g": "1"})
    c.hdel("h", "f")
    c.sadd("s", "a", "1")
    c.srem("s", "a")
    c.sadd("t", "1", "2")
    c.close()
    server.stop()
    server.start()
    c = server.redis()
    assert c.object("encoding", "h") == b"hashtable"
    assert c.object("encoding", "s") == b"hashtable"
    assert c.object("encoding", "t") == b"intset"
    # HSCAN/SSCAN return a compact collection whole, a big one by pages.
    assert c.sscan("t", 0, count=1) == (0, [b"1", b"2"])
    assert c.sscan("s", 0, count=1)[0] == 0  # one member left
    c.sadd("s", "x", "y")
    cursor, page = c.sscan("s", 0, count=1)
    assert cursor != 0 and len(page) == 1
    c.hset("h", "k", "2")
    cursor, page = c.hscan("h", 0, count=1)
    assert cursor != 0 and len(page) == 1
    c.close()
