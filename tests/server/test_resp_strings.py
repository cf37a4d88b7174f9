"""RESP string commands over redis-py: replies, edge cases and error texts
as Redis 7 gives them."""
import random
import time

import pytest
import redis

from conftest import cmd

NOT_INT = "value is not an integer or out of range"


def err(fn, *a):
    with pytest.raises(redis.ResponseError) as e:
        fn(*a)
    return str(e.value)


def test_get_set_basic(r):
    assert r.get("missing") is None
    assert r.set("k", "v") is True
    assert r.get("k") == b"v"
    assert r.set("k", "w") is True
    assert r.get("k") == b"w"


def test_binary_keys_and_values(r):
    key = bytes(range(256))
    val = bytes(range(255, -1, -1)) * 100 + b"\r\n\x00"
    r.set(key, val)
    assert r.get(key) == val
    assert r.strlen(key) == len(val)
    r.set(b"", b"")
    assert r.get(b"") == b""
    assert r.exists(b"") == 1


def test_large_value(r):
    val = b"x" * (4 << 20)
    r.set("big", val)
    assert r.get("big") == val


def test_set_nx_xx(r):
    assert r.set("k", "1", nx=True) is True
    assert r.set("k", "2", nx=True) is None
    assert r.get("k") == b"1"
    assert r.set("other", "1", xx=True) is None
    assert r.exists("other") == 0
    assert r.set("k", "3", xx=True) is True
    assert r.get("k") == b"3"
    assert "syntax error" in err(r.execute_command, "SET", "k", "v", "NX", "XX")


def test_set_get_option(r):
    assert r.set("k", "1", get=True) is None
    assert r.set("k", "2", get=True) == b"1"
    assert cmd(r, "SET", "k", "3", "NX", "GET") == b"2"
    assert r.get("k") == b"2"


def test_set_expiry_options(r):
    r.set("k", "v", ex=100)
    assert 99 <= r.ttl("k") <= 100
    r.set("k", "v", px=100000)
    assert 99000 <= r.pttl("k") <= 100000
    at = int(time.time()) + 200
    r.set("k", "v", exat=at)
    assert r.expiretime("k") == at
    r.set("k", "v", pxat=at * 1000 + 5)
    assert r.pexpiretime("k") == at * 1000 + 5
    r.set("k", "v2", keepttl=True)
    assert r.pexpiretime("k") == at * 1000 + 5
    assert r.get("k") == b"v2"
    r.set("k", "v3")
    assert r.ttl("k") == -1


def test_set_bad_expiry(r):
    for bad in ("0", "-1"):
        assert err(r.execute_command, "SET", "k", "v", "EX", bad) == \
            "invalid expire time in 'set' command"
    assert err(r.execute_command, "SET", "k", "v", "EX", "abc") == NOT_INT
    assert err(r.execute_command, "SET", "k", "v", "EX", "9223372036854775807") \
        == "invalid expire time in 'set' command"
    assert err(r.execute_command, "SET", "k", "v", "PX", "9223372036854775807") \
        == "invalid expire time in 'set' command"
    assert "syntax error" in err(r.execute_command, "SET", "k", "v", "EX")
    assert "syntax error" in err(r.execute_command, "SET", "k", "v", "EX", "1",
                                 "PX", "1")
    assert "syntax error" in err(r.execute_command, "SET", "k", "v", "KEEPTTL",
                                 "EX", "1")
    assert "syntax error" in err(r.execute_command, "SET", "k", "v", "BOGUS")
    assert r.exists("k") == 0


def test_expiry_takes_effect(r):
    r.set("k", "v", px=50)
    deadline = time.monotonic() + 5
    while r.get("k") is not None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert r.get("k") is None
    assert r.ttl("k") == -2


def test_past_absolute_expiry_deletes(r):
    r.set("k", "v")
    r.set("k", "v", exat=int(time.time()) - 10)
    assert r.get("k") is None


def test_wrong_arity(r):
    assert err(r.execute_command, "GET") == \
        "wrong number of arguments for 'get' command"
    assert err(r.execute_command, "GET", "a", "b") == \
        "wrong number of arguments for 'get' command"
    assert err(r.execute_command, "SET", "a") == \
        "wrong number of arguments for 'set' command"
    assert err(r.execute_command, "MSET", "a", "1", "b") == \
        "wrong number of arguments for 'mset' command"


def test_setnx_setex_psetex(r):
    assert r.setnx("k", "1") is True
    assert r.setnx("k", "2") is False
    assert r.get("k") == b"1"
    assert r.setex("e", 100, "v") is True
    assert 99 <= r.ttl("e") <= 100
    assert r.psetex("p", 100000, "v") is True
    assert 99000 <= r.pttl("p") <= 100000
    assert err(r.execute_command, "SETEX", "e", "0", "v") == \
        "invalid expire time in 'setex' command"
    assert err(r.execute_command, "PSETEX", "e", "-5", "v") == \
        "invalid expire time in 'psetex' command"
    assert err(r.execute_command, "SETEX", "e", "x", "v") == NOT_INT


def test_getset_getdel_getex(r):
    assert r.getset("k", "1") is None
    r.expire("k", 100)
    assert r.getset("k", "2") == b"1"
    assert r.ttl("k") == -1
    assert r.getdel("k") == b"2"
    assert r.getdel("k") is None
    assert r.exists("k") == 0
    r.set("k", "v")
    assert r.getex("k", ex=100) == b"v"
    assert 99 <= r.ttl("k") <= 100
    assert r.getex("k", persist=True) == b"v"
    assert r.ttl("k") == -1
    assert r.getex("missing", ex=10) is None
    assert "syntax error" in err(r.execute_command, "GETEX", "k", "EX", "1",
                                 "PERSIST")
    assert err(r.execute_command, "GETEX", "k", "EX", "-1") == \
        "invalid expire time in 'getex' command"


def test_mget_mset_msetnx(r):
    assert r.mset({"a": "1", "b": "2"}) is True
    assert r.mget("a", "b", "c") == [b"1", b"2", None]
    assert r.msetnx({"c": "3", "a": "x"}) is False
    assert r.get("c") is None
    assert r.msetnx({"c": "3", "d": "4"}) is True
    assert r.mget("c", "d") == [b"3", b"4"]
    r.execute_command("MSET", "dup", "1", "dup", "2")
    assert r.get("dup") == b"2"


def test_incr_family(r):
    assert r.incr("n") == 1
    assert r.incrby("n", 10) == 11
    assert r.decr("n") == 10
    assert r.decrby("n", 20) == -10
    assert r.get("n") == b"-10"
    r.set("n", "9223372036854775806")
    assert r.incr("n") == 9223372036854775807
    assert err(r.incr, "n") == "increment or decrement would overflow"
    r.set("n", "-9223372036854775808")
    assert err(r.decr, "n") == "increment or decrement would overflow"
    for bad in ("abc", "1.5", " 1", "01", "+1", "", "99999999999999999999"):
        r.set("s", bad)
        assert err(r.incr, "s") == NOT_INT, bad
    assert err(r.execute_command, "INCRBY", "n", "x") == NOT_INT
    assert err(r.execute_command, "DECRBY", "n", "1.0") == NOT_INT


def test_incr_keeps_ttl(r):
    r.set("n", "1", ex=100)
    r.incr("n")
    assert 99 <= r.ttl("n") <= 100


def test_incrbyfloat(r):
    assert r.incrbyfloat("f", 10.5) == 10.5
    assert cmd(r, "INCRBYFLOAT", "f", "0.1") == b"10.6"
    r.set("f", "5.0e3")
    assert cmd(r, "INCRBYFLOAT", "f", "2.0e2") == b"5200"
    assert cmd(r, "INCRBYFLOAT", "g", "-3") == b"-3"
    r.set("s", "abc")
    assert err(r.execute_command, "INCRBYFLOAT", "s", "1") == \
        "value is not a valid float"
    assert err(r.execute_command, "INCRBYFLOAT", "f", "x") == \
        "value is not a valid float"
    assert err(r.execute_command, "INCRBYFLOAT", "f", "nan") == \
        "value is not a valid float"
    # Long double arithmetic, as Redis: 1e308 + 1e308 is fine.
    r.set("big", "1e308")
    assert cmd(r, "INCRBYFLOAT", "big", "1e308").startswith(b"19999999")
    r.set("big", "1.1e4932")
    assert err(r.execute_command, "INCRBYFLOAT", "big", "9e4931") == \
        "increment would produce NaN or Infinity"
    assert err(r.execute_command, "INCRBYFLOAT", "y", "inf") == \
        "increment would produce NaN or Infinity"


def test_append_strlen(r):
    assert r.append("k", "ab") == 2
    assert r.append("k", b"\x00c") == 4
    assert r.get("k") == b"ab\x00c"
    assert r.strlen("k") == 4
    assert r.strlen("missing") == 0


def test_getrange(r):
    r.set("k", "This is a string")
    assert r.getrange("k", 0, 3) == b"This"
    assert r.getrange("k", -3, -1) == b"ing"
    assert r.getrange("k", 0, -1) == b"This is a string"
    assert r.getrange("k", 10, 100) == b"string"
    assert r.getrange("k", 5, 3) == b""
    assert r.getrange("k", -1, -5) == b""
    assert r.getrange("missing", 0, -1) == b""
    assert err(r.execute_command, "GETRANGE", "k", "a", "1") == NOT_INT


def test_setrange(r):
    r.set("k", "Hello World")
    assert r.setrange("k", 6, "Redis") == 11
    assert r.get("k") == b"Hello Redis"
    assert r.setrange("pad", 5, "x") == 6
    assert r.get("pad") == b"\x00" * 5 + b"x"
    assert r.setrange("none", 0, "") == 0
    assert r.exists("none") == 0
    assert err(r.execute_command, "SETRANGE", "k", "-1", "x") == \
        "offset is out of range"
    assert err(r.execute_command, "SETRANGE", "k", "536870912", "x") == \
        "string exceeds maximum allowed size (proto-max-bulk-len)"


def test_pipeline(r):
    p = r.pipeline(transaction=False)
    for i in range(1000):
        p.set("p%d" % i, i)
    for i in range(1000):
        p.get("p%d" % i)
    res = p.execute()
    assert res[:1000] == [True] * 1000
    assert res[1000:] == [str(i).encode() for i in range(1000)]


def test_pipelined_sets_keep_order_with_other_commands(r):
    # Plain SETs of a pipeline are written as one batch (redis/set_batch.h):
    # every other command still sees them in order.
    p = r.pipeline(transaction=False)
    p.set("a", 1).get("a").set("a", 2).incr("a").set("b", "x").get("b")
    p.set("c", "y").set("c", "z", get=True).get("c")
    assert p.execute() == [True, b"1", True, 3, True, b"x", True, b"y", b"z"]
    p = r.pipeline(transaction=False)
    for i in range(600):  # more than one batch
        p.set("k%d" % i, i)
    p.mget(["k%d" % i for i in range(600)])
    res = p.execute()
    assert res[-1] == [str(i).encode() for i in range(600)]


def test_pipelined_gets_keep_order_and_see_earlier_writes(r):
    # Consecutive plain GETs of a pipeline are read as one batch
    # (redis/get_batch.h): each still sees every write before it, and the
    # replies keep their order.
    p = r.pipeline(transaction=False)
    p.get("g").set("g", 1).get("g").get("g").incr("g").get("g").get("nope")
    p.delete("g").get("g").set("g", "x").get("g").set("h", "y").get("h")
    p.get("g").mget("g", "h", "nope", "g").get("h")
    p.set("e", "v", px=1).get("e").append("g", "z").get("g")
    p.execute_command("GET", "a", "b")
    p.get("g")
    res = p.execute(raise_on_error=False)
    assert res[:-2] == [None, True, b"1", b"1", 2, b"2", None,
                        1, None, True, b"x", True, b"y",
                        b"x", [b"x", b"y", None, b"x"], b"y",
                        True, res[17], 2, b"xz"]
    assert res[17] in (b"v", None)  # expires within a millisecond
    assert "wrong number of arguments" in str(res[-2])
    assert res[-1] == b"xz"


def test_pipelined_gets_against_a_model(r):
    # Runs of GETs of random length (up to more than one batch of 64)
    # between SET, DEL, INCR and MSET, every reply checked in order.
    rnd = random.Random(7)
    model = {}
    for _ in range(5):
        p = r.pipeline(transaction=False)
        expected = []
        for _ in range(40):
            for _ in range(rnd.choice([0, 1, 2, 16, 70])):
                k = "m%d" % rnd.randrange(30)
                p.get(k)
                expected.append(model.get(k))
            k = "m%d" % rnd.randrange(30)
            op = rnd.randrange(4)
            if op == 0:
                v = str(rnd.randrange(1000)).encode()
                p.set(k, v)
                model[k] = v
                expected.append(True)
            elif op == 1:
                p.delete(k)
                expected.append(1 if k in model else 0)
                model.pop(k, None)
            elif op == 2:
                if k in model and not model[k].lstrip(b"-").isdigit():
                    continue
                n = int(model.get(k, b"0")) + 1
                p.incr(k)
                model[k] = str(n).encode()
                expected.append(n)
            else:
                k2 = "m%d" % rnd.randrange(30)
                p.mset({k: b"a", k2: b"b"})
                model[k] = b"a"
                model[k2] = b"b"
                expected.append(True)
        assert p.execute() == expected


def test_key_size_limit(r):
    big = b"k" * (64 * 1024 + 1)
    for args in (("SET", big, "v"), ("GET", big), ("MSET", "a", "1", big, "2"),
                 ("DEL", "a", big)):
        assert err(r.execute_command, *args) == \
            "key is too large (max_key_bytes is 65536)"
    assert r.exists("a") == 0
    ok = b"k" * (64 * 1024)
    assert r.set(ok, "v") is True
    assert r.get(ok) == b"v"


def test_redis_option_rules(r):
    """Edge cases the differential test (tests/compat) found."""
    # An expiry option may repeat; conflicting ones are a syntax error,
    # found before the expiry's value is checked.
    assert cmd(r, "SET", "k", "v", "EX", "10", "EX", "20") == b"OK"
    assert 15 <= r.ttl("k") <= 20
    assert "syntax error" in err(cmd, r, "SET", "k", "v", "EX", "-1", "PX",
                                 "5")
    # GETEX reads the key before it validates the expiry.
    assert cmd(r, "GETEX", "missing", "EX", "0") is None
    assert "invalid expire time in 'getex'" in err(cmd, r, "GETEX", "k",
                                                   "EX", "0")
    # A subnormal float is a float; underflow to 0 and overflow are not.
    r.delete("f")
    assert cmd(r, "INCRBYFLOAT", "f", "1e-4940") == b"0"
    assert "not a valid float" in err(cmd, r, "INCRBYFLOAT", "f", "1e-5000")
    assert "not a valid float" in err(cmd, r, "INCRBYFLOAT", "f", "1e5000")
    r.set("z", b"\x00" * 3 + b"5")
    assert "not a valid float" in err(cmd, r, "INCRBYFLOAT", "z", "1")


def test_redis_error_formatting(r):
    r.set("k", "v")
    # Options print as C strings (cut at a NUL), CR/LF at the ends trimmed.
    assert str(err(cmd, r, "EXPIRE", "k", "10", b"FOO\x00bar")) == \
        "Unsupported option FOO"
    assert str(err(cmd, r, "EXPIRE", "k", "10", b"\r\nX\r\n")) == \
        "Unsupported option   X"
    # Options first, then the time.
    assert "not compatible" in err(cmd, r, "EXPIRE", "k", "x", "NX", "XX")
    # SCAN cursors as strtoul: "" and "+0" are 0.
    assert cmd(r, "SCAN", "", "COUNT", "100")[0] == b"0"
    assert cmd(r, "SCAN", "+0", "COUNT", "100")[0] == b"0"
    assert "invalid cursor" in err(cmd, r, "SCAN", "+")


def test_expired_value_does_not_show_through(r):
    """An expired key reads as missing everywhere (the differential test
    found SETRANGE with an empty piece answering the expired length)."""
    cmd(r, "PSETEX", "gone", "1", "84")
    deadline = time.monotonic() + 5
    while r.exists("gone") and time.monotonic() < deadline:
        time.sleep(0.005)
    assert cmd(r, "SETRANGE", "gone", "12", "") == 0
    assert cmd(r, "STRLEN", "gone") == 0


def test_db_index_errors(r):
    # SWAPDB parses both indexes before it checks either's range.
    assert str(err(cmd, r, "SWAPDB", "16", "01")) == "invalid second DB index"
    assert "must between -2147483648 and 2147483647" in str(
        err(cmd, r, "SELECT", "2147483648"))


def test_write_after_expiry_starts_a_fresh_key(r):
    """The differential test (seed 3017): INCRBY on a key whose expiry had
    passed wrote the new value with the old, past expiry."""
    cmd(r, "PSETEX", "fresh", "1", "42")
    deadline = time.monotonic() + 5
    while r.exists("fresh") and time.monotonic() < deadline:
        time.sleep(0.005)
    assert cmd(r, "INCRBY", "fresh", "216") == 216
    assert cmd(r, "TTL", "fresh") == -1
    assert cmd(r, "GET", "fresh") == b"216"
