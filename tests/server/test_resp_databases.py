"""Databases: SELECT, MOVE, SWAPDB, FLUSHDB/FLUSHALL, DBSIZE, INFO keyspace,
SCAN/KEYS/RANDOMKEY per database, redis://host/N URLs, memcached on
database 0, HTTP ?db=N."""
import json
import urllib.error
import urllib.request

import pytest
import redis
from pymemcache.client.base import Client

from conftest import cmd
from real_redis import real_redis, reply_of  # noqa: F401 (fixture)


def db(server, n, **kw):
    return redis.Redis(host="127.0.0.1", port=server.port, db=n,
                       socket_timeout=20, **kw)


def test_url_selects_database(server, r):
    c = redis.Redis.from_url("redis://127.0.0.1:%d/3" % server.port)
    c.set("k", "in3")
    assert r.get("k") is None
    assert db(server, 3).get("k") == b"in3"
    assert str(c.client_info()["db"]) == "3"
    c.close()


def test_keys_are_per_database(server, r):
    d1, d2 = db(server, 1), db(server, 2)
    r.set("a", "0")
    d1.set("a", "1")
    d1.set("b", "1")
    assert (r.get("a"), d1.get("a"), d2.get("a")) == (b"0", b"1", None)
    assert (r.dbsize(), d1.dbsize(), d2.dbsize()) == (1, 2, 0)
    assert sorted(d1.keys("*")) == [b"a", b"b"]
    assert d1.scan(0, count=100) == (0, [b"a", b"b"])
    assert r.randomkey() == b"a"
    assert d2.randomkey() is None
    assert d1.exists("a", "b", "c") == 2


def test_flushdb_and_flushall(server, r):
    d1, d2 = db(server, 1), db(server, 2)
    for c in (r, d1, d2):
        c.set("k", "v")
        c.set("t", "v", ex=100)
    d1.flushdb()
    assert (r.dbsize(), d1.dbsize(), d2.dbsize()) == (2, 0, 2)
    d1.set("k", "new")  # the fresh namespace takes writes
    assert d1.get("k") == b"new" and d1.ttl("t") == -2
    assert cmd(d2, "FLUSHDB", "ASYNC") == b"OK"
    assert d2.dbsize() == 0
    r.flushall()
    assert (r.dbsize(), d1.dbsize(), d2.dbsize()) == (0, 0, 0)


def test_swapdb(server, r):
    d1 = db(server, 1)
    r.set("x", "zero")
    d1.set("y", "one", ex=100)
    assert r.swapdb(0, 1)
    assert (r.get("x"), r.get("y")) == (None, b"one")
    assert 0 < r.ttl("y") <= 100
    assert d1.get("x") == b"zero"
    assert r.swapdb(1, 1)
    assert d1.get("x") == b"zero"


def test_move(server, r):
    d1 = db(server, 1)
    r.set("m", "v", px=100000)
    assert r.move("m", 1)
    assert r.get("m") is None
    assert d1.get("m") == b"v" and d1.pttl("m") > 0
    assert not r.move("m", 1)  # absent here
    r.set("m", "again")
    assert not r.move("m", 1)  # present there
    assert r.get("m") == b"again"


def test_info_keyspace_per_database(server, r):
    d5 = db(server, 5)
    r.set("a", "1")
    d5.set("b", "1", ex=1000)
    d5.set("c", "1")
    info = r.info("keyspace")
    assert info["db0"] == {"keys": 1, "expires": 0, "avg_ttl": 0}
    assert info["db5"]["keys"] == 2 and info["db5"]["expires"] == 1
    assert 990000 < info["db5"]["avg_ttl"] <= 1000000
    assert "db1" not in info


def test_reset_selects_database_0(server, r):
    c = db(server, 4)
    c.set("k", "4")
    assert cmd(c, "RESET") == b"RESET"
    # redis-py reconnects to db 4 only on a new connection; this one is at 0.
    assert cmd(c, "GET", "k") is None


@pytest.mark.parametrize("args", [
    ("SELECT", "16"), ("SELECT", "-1"), ("SELECT", "x"), ("SELECT", "1.5"),
    ("SELECT", "99999999999999999999"),
    ("MOVE", "k", "0"), ("MOVE", "k", "16"), ("MOVE", "k", "x"),
    ("MOVE", "k", "-1"), ("MOVE", "absent", "3"),
    ("SWAPDB", "0", "16"), ("SWAPDB", "x", "1"), ("SWAPDB", "1", "x"),
    ("SWAPDB", "-1", "0"), ("SWAPDB", "0"),
    ("FLUSHDB", "x"), ("FLUSHDB", "sync", "async"), ("FLUSHALL", "x"),
    ("DBSIZE", "x"), ("SELECT",),
])
def test_errors_match_redis(server, real_redis, args):  # noqa: F811
    shale = server.redis()
    real = real_redis.redis()
    for c in (shale, real):
        c.flushall()
        c.set("k", "v")
    assert reply_of(shale, *args) == reply_of(real, *args)


def test_memcached_uses_database_0(server, r):
    d1 = db(server, 1)
    mc = Client(("127.0.0.1", server.mc_port), timeout=10,
                default_noreply=False)
    mc.set("mk", "from mc")
    assert r.get("mk") == b"from mc" and d1.get("mk") is None
    d1.set("only1", "x")
    assert mc.get("only1") is None
    mc.flush_all()
    assert r.dbsize() == 0 and d1.dbsize() == 1


def http(server, method, path, body=None):
    req = urllib.request.Request(
        "http://127.0.0.1:%d%s" % (server.http_port, path), data=body,
        method=method)
    try:
        with urllib.request.urlopen(req) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_http_db_parameter(server, r):
    d2 = db(server, 2)
    assert http(server, "PUT", "/v1/kv/hk?db=2", b"two")[0] == 200
    assert r.get("hk") is None and d2.get("hk") == b"two"
    assert http(server, "GET", "/v1/kv/hk?db=2") == (200, b"two")
    assert http(server, "GET", "/v1/kv/hk")[0] == 404
    status, body = http(server, "GET", "/v1/kv?db=2")
    assert status == 200
    assert [i["key"] for i in json.loads(body)["items"]] == ["hk"]
    ops = {"ops": [{"op": "put", "key": "b1", "value": "x"},
                   {"op": "delete", "key": "hk"}]}
    assert http(server, "POST", "/v1/batch?db=2",
                json.dumps(ops).encode())[0] == 200
    assert d2.keys("*") == [b"b1"]
    assert http(server, "DELETE", "/v1/kv/b1?db=2")[0] == 200
    assert d2.dbsize() == 0
    for bad in ("16", "-1", "x", ""):
        status, body = http(server, "GET", "/v1/kv/hk?db=" + bad)
        assert status == 400, bad
        assert b"db must be between 0 and 15" in body


def test_databases_setting(tmp_path):
    from conftest import ShaleServer
    s = ShaleServer(str(tmp_path), args=["--databases", "4"]).start()
    try:
        c = s.redis()
        assert c.config_get("databases") == {"databases": "4"}
        c.execute_command("SELECT", "3")
        with pytest.raises(redis.ResponseError, match="out of range"):
            c.execute_command("SELECT", "4")
    finally:
        s.stop()
