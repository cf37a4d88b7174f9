"""HTTP/JSON API over http.client and curl."""
import base64
import http.client
import json
import subprocess

import pytest


@pytest.fixture
def h(server):
    server.redis().flushall()
    c = http.client.HTTPConnection("127.0.0.1", server.http_port, timeout=20)
    yield c
    c.close()


def req(c, method, path, body=None, headers=None):
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    return r.status, dict(r.getheaders()), data


def test_put_get_delete(h):
    st, hd, body = req(h, "PUT", "/v1/kv/k1", b"hello")
    assert st == 200 and json.loads(body) == {"ok": True}
    assert hd["ETag"].startswith('"')
    st, hd2, body = req(h, "GET", "/v1/kv/k1")
    assert st == 200 and body == b"hello"
    assert hd2["ETag"] == hd["ETag"]
    assert hd2["Content-Type"] == "application/octet-stream"
    st, hd3, body = req(h, "HEAD", "/v1/kv/k1")
    assert st == 200 and body == b"" and hd3["Content-Length"] == "5"
    st, _, body = req(h, "DELETE", "/v1/kv/k1")
    assert st == 200
    st, _, body = req(h, "GET", "/v1/kv/k1")
    assert st == 404
    assert json.loads(body)["error"]["code"] == "not_found"
    st, _, _ = req(h, "DELETE", "/v1/kv/k1")
    assert st == 404


def test_binary_key_and_value(server, h):
    key = bytes(range(1, 256))
    val = bytes(range(256)) * 10
    path = "/v1/kv/" + "".join("%%%02X" % b for b in key)
    st, _, _ = req(h, "PUT", path, val)
    assert st == 200
    st, _, body = req(h, "GET", path)
    assert body == val
    assert server.redis().get(key) == val


def test_ttl(server, h):
    st, _, _ = req(h, "PUT", "/v1/kv/t?ttl=100", b"v")
    assert st == 200
    assert 99 <= server.redis().ttl("t") <= 100
    for bad in ("0", "-1", "abc", "1.5"):
        st, _, body = req(h, "PUT", "/v1/kv/t?ttl=" + bad, b"v")
        assert st == 400, bad
        assert json.loads(body)["error"]["code"] == "bad_request"


def test_etag_compare_and_set(h):
    _, hd, _ = req(h, "PUT", "/v1/kv/c", b"1")
    etag = hd["ETag"]
    st, hd2, _ = req(h, "PUT", "/v1/kv/c", b"2", {"If-Match": etag})
    assert st == 200
    st, _, body = req(h, "PUT", "/v1/kv/c", b"3", {"If-Match": etag})
    assert st == 412
    assert json.loads(body)["error"]["code"] == "precondition_failed"
    st, _, body = req(h, "GET", "/v1/kv/c")
    assert body == b"2"
    st, _, _ = req(h, "PUT", "/v1/kv/c", b"x", {"If-None-Match": "*"})
    assert st == 412
    st, _, _ = req(h, "PUT", "/v1/kv/new", b"x", {"If-None-Match": "*"})
    assert st == 200
    st, _, _ = req(h, "PUT", "/v1/kv/absent", b"x", {"If-Match": etag})
    assert st == 412
    st, _, _ = req(h, "DELETE", "/v1/kv/c", None, {"If-Match": etag})
    assert st == 412
    st, _, _ = req(h, "DELETE", "/v1/kv/c", None, {"If-Match": hd2["ETag"]})
    assert st == 200


def test_scan(h):
    for i in range(30):
        req(h, "PUT", "/v1/kv/s%02d" % i, b"v%d" % i)
    req(h, "PUT", "/v1/kv/t", b"other")
    req(h, "PUT", "/v1/kv/bin%FF", b"\xfe")
    st, _, body = req(h, "GET", "/v1/kv?prefix=s&limit=10")
    page = json.loads(body)
    assert [i["key"] for i in page["items"]] == ["s%02d" % i for i in range(10)]
    assert page["next"] == "s10"
    st, _, body = req(h, "GET", "/v1/kv?prefix=s&start=s25")
    page = json.loads(body)
    assert [i["key"] for i in page["items"]] == ["s%02d" % i for i in range(25, 30)]
    assert page["next"] is None
    st, _, body = req(h, "GET", "/v1/kv?start=s05&end=s07")
    assert [i["key"] for i in json.loads(body)["items"]] == ["s05", "s06"]
    st, _, body = req(h, "GET", "/v1/kv?prefix=bin")
    item = json.loads(body)["items"][0]
    assert base64.b64decode(item["key_b64"]) == b"bin\xff"
    assert base64.b64decode(item["value_b64"]) == b"\xfe"
    st, _, body = req(h, "GET", "/v1/kv?prefix=t&encoding=base64")
    item = json.loads(body)["items"][0]
    assert base64.b64decode(item["key_b64"]) == b"t"
    for bad in ("limit=0", "limit=x", "limit=100000", "encoding=hex",
                "start=%zz"):
        st, _, _ = req(h, "GET", "/v1/kv?" + bad)
        assert st == 400, bad


def test_scan_pages_stop_at_16mib(server, h):
    r = server.redis()
    big = b"x" * (6 << 20)
    for k in ("b1", "b2", "b3", "b4"):
        r.set(k, big)
    st, _, body = req(h, "GET", "/v1/kv?prefix=b&limit=100")
    page = json.loads(body)
    assert st == 200 and len(page["items"]) == 3 and page["next"] == "b4"


def test_batch(server, h):
    r = server.redis()
    r.set("gone", "x")
    ops = {"ops": [
        {"op": "put", "key": "a", "value": "1"},
        {"op": "put", "key_b64": base64.b64encode(b"\x00\xff").decode(),
         "value_b64": base64.b64encode(b"\x01").decode(), "ttl": 100},
        {"op": "delete", "key": "gone"},
    ]}
    st, _, body = req(h, "POST", "/v1/batch", json.dumps(ops))
    assert st == 200 and json.loads(body) == {"ok": True, "applied": 3}
    assert r.get("a") == b"1"
    assert r.get(b"\x00\xff") == b"\x01"
    assert 99 <= r.ttl(b"\x00\xff") <= 100
    assert r.exists("gone") == 0
    # A bad op anywhere rejects the whole batch.
    bad = {"ops": [{"op": "put", "key": "z", "value": "1"}, {"op": "nope"}]}
    st, _, body = req(h, "POST", "/v1/batch", json.dumps(bad))
    assert st == 400
    assert r.exists("z") == 0
    for junk in (b"not json", b"[]", b'{"ops": 5}', b'{"ops":[{"op":"put"}]}'):
        st, _, body = req(h, "POST", "/v1/batch", junk)
        assert st == 400, junk
        assert "error" in json.loads(body)


def test_admin_stats_metrics_health(h):
    st, _, body = req(h, "POST", "/v1/admin/flush")
    assert st == 200
    st, _, body = req(h, "POST", "/v1/admin/compact")
    assert st == 200 and json.loads(body) == {"ok": True}
    st, _, body = req(h, "GET", "/v1/stats")
    stats = json.loads(body)
    assert st == 200 and "server" in stats and "shale" in stats
    assert "user_bytes_written" in stats["engine"]  # DB::GetStatsMap
    st, hd, body = req(h, "GET", "/metrics")
    assert st == 200 and hd["Content-Type"].startswith("text/plain")
    assert b"# TYPE shale_uptime_seconds gauge" in body
    assert b'shale_level_files{level="0"}' in body
    assert b'shale_engine{stat="user_bytes_written"}' in body
    st, _, body = req(h, "GET", "/healthz")
    assert st == 200 and json.loads(body) == {"status": "ok"}


def test_errors(h):
    st, _, body = req(h, "GET", "/nope")
    assert st == 404 and json.loads(body)["error"]["code"] == "not_found"
    st, hd, body = req(h, "POST", "/v1/kv/x")
    assert st == 405 and "PUT" in hd["Allow"]
    st, _, _ = req(h, "GET", "/v1/batch")
    assert st == 405
    st, _, _ = req(h, "GET", "/v1/kv/%zz")
    assert st == 400


def test_curl(server, tmp_path):
    base = "http://127.0.0.1:%d" % server.http_port
    f = tmp_path / "v"
    f.write_bytes(b"x" * (2 << 20))  # curl sends Expect: 100-continue
    out = subprocess.run(["curl", "-sf", "-X", "PUT", "--data-binary",
                          "@" + str(f), base + "/v1/kv/curlkey"],
                         capture_output=True, timeout=30)
    assert out.returncode == 0, out.stderr
    out = subprocess.run(["curl", "-sf", base + "/v1/kv/curlkey"],
                         capture_output=True, timeout=30)
    assert out.stdout == f.read_bytes()


def test_keep_alive_pipelining(server):
    import socket
    reqs = b"".join(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" for _ in range(50))
    with socket.create_connection(("127.0.0.1", server.http_port)) as s:
        s.sendall(reqs)
        buf = b""
        while buf.count(b"HTTP/1.1 200 OK") < 50:
            b = s.recv(65536)
            assert b
            buf += b
