"""FLUSHDB, FLUSHALL and SWAPDB are O(1) (a fresh namespace id); the disk
space of the flushed keys comes back when compaction passes them: the
server's CompactionFilter (server/keyspace/server_filter.h) drops the entries
of namespaces no database maps to. POST /v1/admin/compact (docs/server.md)
runs a full compaction on demand."""
import http.client
import json
import os

import pytest

from conftest import ShaleServer, wait_for


def engine_bytes(server):
    """Bytes of the engine's tables and value logs in the data dir."""
    root = os.path.join(server.dir, "data", "db")
    total = 0
    for name in os.listdir(root):
        if name.endswith((".sst", ".vlog")):
            try:
                total += os.path.getsize(os.path.join(root, name))
            except FileNotFoundError:  # deleted by the engine meanwhile
                pass
    return total


def compact(server):
    c = http.client.HTTPConnection("127.0.0.1", server.http_port, timeout=120)
    c.request("POST", "/v1/admin/compact")
    resp = c.getresponse()
    body = resp.read()
    c.close()
    assert resp.status == 200 and json.loads(body) == {"ok": True}


@pytest.fixture
def own():
    s = ShaleServer().start()
    yield s
    s.cleanup()


def fill(r, prefix, n, size, ex=None):
    pipe = r.pipeline(transaction=False)
    for i in range(n):
        # Incompressible payloads, so that the bytes on disk are the data.
        pipe.set("%s:%d" % (prefix, i), os.urandom(size), ex=ex)
        if i % 1000 == 999:
            pipe.execute()
    pipe.execute()


def test_flushdb_gives_the_space_back(own):
    r = own.redis()
    fill(r, "big", 20000, 500)
    fill(r, "ttl", 2000, 500, ex=3600)  # expiry index entries too
    r1 = own.redis(db=1)
    r1.set("other-db", "stays")
    compact(own)
    before = engine_bytes(own)
    assert before > 10_000_000
    assert r.flushdb() is True
    assert r.dbsize() == 0
    compact(own)
    after = engine_bytes(own)
    assert after < before // 20, (before, after)
    assert r1.get("other-db") == b"stays"
    r.close()
    r1.close()
    # And nothing comes back after a restart.
    own.stop()
    own.start()
    r = own.redis()
    assert r.dbsize() == 0
    assert own.redis(db=1).get("other-db") == b"stays"
    r.close()


def test_flushall_of_large_values_gives_the_value_logs_back(own):
    r = own.redis()
    fill(r, "large", 2000, 8192)  # value-log values (>= min_blob_size)
    compact(own)
    before = engine_bytes(own)
    assert before > 16_000_000
    assert r.flushall() is True
    compact(own)
    # The value logs whose values are all dropped are collected by the
    # engine's background value-log GC.
    wait_for(lambda: engine_bytes(own) < before // 20, 60,
             "value logs to be collected (%d bytes before)" % before)
    r.close()


def test_swapdb_keeps_both_databases(own):
    r = own.redis()
    r2 = own.redis(db=2)
    fill(r, "a", 3000, 200)
    fill(r2, "b", 3000, 200)
    assert r.swapdb(0, 2) is True
    compact(own)
    assert r2.dbsize() == 3000 and r2.get("a:17") is not None
    assert r.dbsize() == 3000 and r.get("b:17") is not None
    r.close()
    r2.close()


def test_deleted_collections_give_the_space_back(own):
    """DEL of a 1M-field hash answers at once (a metadata write), and its
    fields' space comes back at the next compaction: the CompactionFilter
    drops elements of any version but the key's live one. The same for a
    list, a sorted set and a set, deleted by DEL, by an overwrite with a
    string and by expiry."""
    import time
    r = own.redis()
    for c in range(1000):
        r.hset("h", mapping={b"f%07d" % (c * 1000 + i): os.urandom(100)
                             for i in range(1000)})
    assert r.hlen("h") == 1_000_000
    for c in range(100):
        r.rpush("l", *[os.urandom(100) for _ in range(1000)])
        r.zadd("z", {os.urandom(100): i for i in range(1000)})
        r.sadd("s", *[os.urandom(100) for _ in range(1000)])
    r.set("keep", "v")
    compact(own)
    before = engine_bytes(own)
    assert before > 100_000_000, before
    start = time.monotonic()
    assert r.delete("h") == 1
    took = time.monotonic() - start
    assert r.delete("l") == 1
    assert r.set("z", "now a string") is True
    assert r.pexpire("s", 1) is True
    wait_for(lambda: r.exists("s") == 0, 10, "expiry of s")
    assert r.exists("h", "l") == 0 and r.get("z") == b"now a string"
    compact(own)
    after = engine_bytes(own)
    print("before %d bytes, after %d bytes; DEL of 1M fields took %.3f s"
          % (before, after, took))
    assert after < before // 20, (before, after)
    assert r.get("keep") == b"v"
    r.close()
