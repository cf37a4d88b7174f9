"""RESP keyspace commands: DEL EXISTS TYPE EXPIRE* TTL PERSIST SCAN KEYS
RANDOMKEY RENAME DBSIZE FLUSHDB."""
import time

import pytest
import redis

from conftest import cmd, wait_for


def err(fn, *a):
    with pytest.raises(redis.ResponseError) as e:
        fn(*a)
    return str(e.value)


def test_del_unlink_exists(r):
    r.mset({"a": 1, "b": 2, "c": 3})
    assert r.exists("a", "b", "x", "a") == 3
    assert r.delete("a", "x", "a") == 1
    assert r.unlink("b", "c") == 2
    assert r.exists("a", "b", "c") == 0


def test_type(r):
    r.set("s", "v")
    assert r.type("s") == b"string"
    assert r.type("none") == b"none"


def test_expire_family(r):
    r.set("k", "v")
    assert r.expire("k", 100) is True
    assert 99 <= r.ttl("k") <= 100
    assert r.pexpire("k", 50000) is True
    assert 49000 <= r.pttl("k") <= 50000
    at = int(time.time()) + 300
    assert r.expireat("k", at) is True
    assert r.expiretime("k") == at
    assert r.pexpireat("k", at * 1000) is True
    assert r.pexpiretime("k") == at * 1000
    assert r.expire("missing", 10) is False
    assert r.ttl("missing") == -2
    assert r.pttl("missing") == -2
    assert r.expiretime("missing") == -2
    r.set("p", "v")
    assert r.ttl("p") == -1
    assert r.expiretime("p") == -1


def test_expire_negative_deletes(r):
    r.set("k", "v")
    assert r.expire("k", -1) is True
    assert r.exists("k") == 0
    r.set("k", "v")
    assert r.pexpireat("k", 1) is True
    assert r.exists("k") == 0


def test_expire_huge_and_bad(r):
    r.set("k", "v")
    assert err(r.execute_command, "EXPIRE", "k", "9223372036854775807") == \
        "invalid expire time in 'expire' command"
    assert err(r.execute_command, "PEXPIRE", "k", "9223372036854775807") == \
        "invalid expire time in 'pexpire' command"
    assert err(r.execute_command, "EXPIRE", "k", "abc") == \
        "value is not an integer or out of range"
    assert r.ttl("k") == -1
    # Far but representable: ~3000 years.
    assert r.expire("k", 100000000000) is True
    assert r.ttl("k") > 99999999000


def test_expire_options(r):
    r.set("k", "v")
    assert r.execute_command("EXPIRE", "k", "100", "XX") == 0
    assert r.execute_command("EXPIRE", "k", "100", "NX") == 1
    assert r.execute_command("EXPIRE", "k", "200", "NX") == 0
    assert r.execute_command("EXPIRE", "k", "50", "GT") == 0
    assert r.execute_command("EXPIRE", "k", "200", "GT") == 1
    assert r.execute_command("EXPIRE", "k", "300", "LT") == 0
    assert r.execute_command("EXPIRE", "k", "10", "LT") == 1
    assert "not compatible" in err(r.execute_command, "EXPIRE", "k", "1",
                                   "NX", "XX")


def test_persist(r):
    r.set("k", "v", ex=100)
    assert r.persist("k") is True
    assert r.ttl("k") == -1
    assert r.persist("k") is False
    assert r.persist("missing") is False


def test_keys_and_patterns(r):
    for k in ("hello", "hallo", "hxllo", "hllo", "heeeello", "foo"):
        r.set(k, 1)
    assert sorted(r.keys("h?llo")) == [b"hallo", b"hello", b"hxllo"]
    assert sorted(r.keys("h*llo")) == [b"hallo", b"heeeello", b"hello",
                                       b"hllo", b"hxllo"]
    assert sorted(r.keys("h[ae]llo")) == [b"hallo", b"hello"]
    assert sorted(r.keys("h[^e]llo")) == [b"hallo", b"hxllo"]
    assert sorted(r.keys("h[a-b]llo")) == [b"hallo"]
    assert len(r.keys("*")) == 6
    assert r.keys("nomatch*") == []


def test_scan_complete_and_no_duplicates(r):
    keys = {("key:%04d" % i).encode() for i in range(1000)}
    p = r.pipeline(transaction=False)
    for k in keys:
        p.set(k, 1)
    p.execute()
    seen = []
    cursor = 0
    while True:
        cursor, batch = r.scan(cursor, count=97)
        seen.extend(batch)
        if cursor == 0:
            break
    assert len(seen) == len(keys)
    assert set(seen) == keys
    assert set(r.scan_iter(match="key:00*")) == \
        {k for k in keys if k.startswith(b"key:00")}
    assert list(r.scan_iter(_type="hash")) == []


def test_scan_errors(r):
    assert err(r.execute_command, "SCAN", "abc") == "invalid cursor"
    assert err(r.execute_command, "SCAN", "-1") == "invalid cursor"
    assert err(r.execute_command, "SCAN", "99999999999999999999") == \
        "invalid cursor"
    assert err(r.execute_command, "SCAN", "18446744073709551615") == \
        "invalid cursor"  # a number never issued
    assert err(r.execute_command, "SCAN", "0", "COUNT", "x") == \
        "value is not an integer or out of range"
    assert "syntax error" in err(r.execute_command, "SCAN", "0", "COUNT", "0")
    assert "syntax error" in err(r.execute_command, "SCAN", "0", "BOGUS", "1")


def test_randomkey(r):
    assert r.randomkey() is None
    r.mset({"a": 1, "b": 2})
    for _ in range(10):
        assert r.randomkey() in (b"a", b"b")


def test_rename(r):
    r.set("a", "1", ex=100)
    assert r.rename("a", "b") is True
    assert r.get("b") == b"1"
    assert r.exists("a") == 0
    assert 99 <= r.ttl("b") <= 100
    assert err(r.rename, "missing", "x") == "no such key"
    r.set("c", "3")
    assert r.renamenx("b", "c") is False
    assert r.renamenx("b", "d") is True
    assert r.get("d") == b"1"
    assert r.rename("d", "d") is True
    assert r.get("d") == b"1"


def test_dbsize_flush(r):
    assert r.dbsize() == 0
    r.mset({"k%d" % i: i for i in range(2500)})
    assert r.dbsize() == 2500
    assert r.flushdb() is True
    assert r.dbsize() == 0
    r.set("x", 1)
    assert r.flushall() is True
    assert r.keys("*") == []
    assert "syntax error" in err(r.execute_command, "FLUSHALL", "BOGUS")
    assert cmd(r, "FLUSHDB", "ASYNC") == b"OK"


def test_touch_counts_existing_keys_as_redis(server, r):
    from real_redis import RealRedis, reply_of
    real = RealRedis()
    try:
        rr = real.redis()
        for c in (r, rr):
            c.set("t1", "v")
            c.set("t2", "v", px=1)
        wait_for(lambda: not r.exists("t2") and not rr.exists("t2"), 5,
                 "t2 to expire on both servers")
        for args in (("TOUCH", "t1"), ("TOUCH", "t1", "t1", "t2", "nope"),
                     ("TOUCH", "nope"), ("TOUCH",)):
            assert reply_of(r, *args) == reply_of(rr, *args), args
        assert reply_of(r, "TOUCH", "t1", "t1") == 2
        rr.close()
    finally:
        real.stop()


def test_object_as_redis_for_strings(server, r):
    from real_redis import RealRedis, reply_of
    real = RealRedis()
    try:
        rr = real.redis()
        values = {"i": "123", "n": "-5", "big": "123456", "z": "0123",
                  "e": "x" * 44, "raw": "x" * 45, "long": "9" * 21}
        for c in (r, rr):
            for k, v in values.items():
                c.set(k, v)
        calls = [("OBJECT", sub, k) for sub in ("ENCODING", "refcount")
                 for k in list(values) + ["nokey"]]
        calls += [("OBJECT", "FREQ", "i"), ("OBJECT", "IDLETIME", "nokey"),
                  ("OBJECT", "HELP"), ("OBJECT", "help", "x"),
                  ("OBJECT", "foo"), ("OBJECT",), ("OBJECT", "ENCODING"),
                  ("OBJECT", "ENCODING", "i", "x")]
        for args in calls:
            assert reply_of(r, *args) == reply_of(rr, *args), args
        # shale keeps no access time (docs/protocols.md).
        assert reply_of(r, "OBJECT", "IDLETIME", "i") == 0
        rr.close()
    finally:
        real.stop()
