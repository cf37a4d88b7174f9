"""One keyspace: what one front end writes, the others read and expire."""
import http.client
import time

import pytest
from pymemcache.client.base import Client


@pytest.fixture
def clients(server):
    r = server.redis()
    r.flushall()
    mc = Client(("127.0.0.1", server.mc_port), timeout=10, default_noreply=False)
    h = http.client.HTTPConnection("127.0.0.1", server.http_port, timeout=10)
    yield r, mc, h
    mc.close()
    h.close()


def http_get(h, key):
    h.request("GET", "/v1/kv/" + key)
    resp = h.getresponse()
    return resp.status, resp.read(), resp.getheader("ETag")


def http_put(h, key, body, headers=None, query=""):
    h.request("PUT", "/v1/kv/" + key + query, body=body, headers=headers or {})
    resp = h.getresponse()
    resp.read()
    return resp.status, resp.getheader("ETag")


def wait_gone(check, timeout=5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return False


def test_redis_to_others(clients):
    r, mc, h = clients
    r.set("k", b"from-redis\x00")
    assert mc.get("k") == b"from-redis\x00"
    assert http_get(h, "k")[:2] == (200, b"from-redis\x00")


def test_memcache_to_others(clients):
    r, mc, h = clients
    mc.set("m", b"from-mc", flags=7)
    assert r.get("m") == b"from-mc"
    assert http_get(h, "m")[:2] == (200, b"from-mc")
    # A Redis APPEND keeps the memcached flags.
    r.append("m", "!")
    assert mc.get("m") == b"from-mc!"
    sock_reply = mc.gets("m")
    assert sock_reply[0] == b"from-mc!"


def test_http_to_others(clients):
    r, mc, h = clients
    assert http_put(h, "h", b"from-http")[0] == 200
    assert r.get("h") == b"from-http"
    assert mc.get("h") == b"from-http"


def test_counters_across_protocols(clients):
    r, mc, h = clients
    mc.set("n", b"10")
    assert r.incr("n") == 11
    assert mc.incr("n", 5) == 16
    assert http_get(h, "n")[1] == b"16"


def test_cas_tokens_change_on_any_write(clients):
    r, mc, h = clients
    mc.set("c", b"1")
    _, token = mc.gets("c")
    r.set("c", "2")  # a write through RESP invalidates the memcached token
    assert mc.cas("c", b"3", token, noreply=False) is False
    _, _, etag = http_get(h, "c")
    mc.set("c", b"4")
    assert http_put(h, "c", b"5", {"If-Match": etag})[0] == 412
    _, token = mc.gets("c")
    _, _, etag = http_get(h, "c")
    assert etag == '"%d"' % int(token)


def test_expiry_set_in_one_seen_in_others(clients):
    r, mc, h = clients
    mc.set("e1", b"v", expire=100)
    assert 99 <= r.ttl("e1") <= 100
    http_put(h, "e2", b"v", query="?ttl=100")
    assert 99 <= r.ttl("e2") <= 100
    r.set("e3", "v", px=100)
    assert wait_gone(lambda: mc.get("e3") is None)
    assert http_get(h, "e3")[0] == 404
    mc.set("e4", b"v")
    r.pexpire("e4", 100)
    assert wait_gone(lambda: http_get(h, "e4")[0] == 404)
    assert mc.get("e4") is None


def test_delete_and_flush_across(clients):
    r, mc, h = clients
    r.mset({"a": 1, "b": 2})
    assert mc.delete("a", noreply=False) is True
    assert r.exists("a") == 0
    mc.flush_all()
    assert r.dbsize() == 0
