"""--requirepass on all front ends, the memcached loopback rule, config
files and flags."""
import base64
import http.client
import os

import pytest
import redis

from conftest import ShaleServer, raw_command, server_binary
import subprocess


@pytest.fixture(scope="module")
def locked(tmp_path_factory):
    srv = ShaleServer(str(tmp_path_factory.mktemp("auth")),
                      args=["--requirepass", "s3cret"]).start()
    yield srv
    srv.cleanup()


def test_resp_requires_auth(locked):
    r = locked.redis()
    with pytest.raises(redis.AuthenticationError):
        r.get("k")
    reply, _ = raw_command(locked.port, b"GET k\r\nAUTH wrong\r\n"
                           b"AUTH s3cret\r\nSET k v\r\nGET k\r\n",
                           until=lambda b: b.endswith(b"$1\r\nv\r\n"))
    assert reply == (b"-NOAUTH Authentication required.\r\n"
                     b"-WRONGPASS invalid username-password pair or user is "
                     b"disabled.\r\n+OK\r\n+OK\r\n$1\r\nv\r\n")
    ok = locked.redis(password="s3cret")
    assert ok.get("k") == b"v"
    reply, _ = raw_command(locked.port, b"HELLO 3\r\nHELLO 3 AUTH default s3cret\r\n",
                           until=lambda b: b.endswith(b"*0\r\n"))
    assert reply.startswith(b"-NOAUTH HELLO must be called with the client "
                            b"already authenticated")
    assert b"%7\r\n" in reply


def test_http_requires_auth(locked):
    h = http.client.HTTPConnection("127.0.0.1", locked.http_port, timeout=10)

    def get(headers):
        h.request("GET", "/v1/stats", headers=headers)
        resp = h.getresponse()
        resp.read()
        return resp.status, resp.getheader("WWW-Authenticate")

    assert get({}) == (401, 'Basic realm="shale"')
    assert get({"Authorization": "Bearer nope"})[0] == 401
    assert get({"Authorization": "Bearer s3cret"})[0] == 200
    basic = base64.b64encode(b"any:s3cret").decode()
    assert get({"Authorization": "Basic " + basic})[0] == 200
    h.request("GET", "/healthz")
    assert h.getresponse().status == 200


def test_memcache_refuses_non_loopback(tmp_path):
    # Only the memcached front end is on; the server must refuse it on a
    # wildcard address and say so (nothing ends up listening).
    srv = ShaleServer(str(tmp_path), args=["--bind", "0.0.0.0"],
                      resp=False, http=False).start()
    try:
        assert "refusing to listen on non-loopback address 0.0.0.0" in srv.log()
        assert open(os.path.join(srv.dir, "ports.txt")).read() == ""
    finally:
        srv.cleanup()


def test_config_file_and_flag_override(tmp_path):
    conf = tmp_path / "shale.toml"
    conf.write_text('fsync = "always"\nrequirepass = "fromfile"\n'
                    'timeout = 77\n')
    srv = ShaleServer(str(tmp_path), args=["--config", str(conf),
                                           "--requirepass", "fromflag"],
                      memcache=False, http=False).start()
    try:
        r = srv.redis(password="fromflag")
        assert r.config_get("appendfsync") == {"appendfsync": "always"}
        assert r.config_get("timeout") == {"timeout": "77"}
    finally:
        srv.cleanup()


def test_bad_config_is_an_error(tmp_path):
    conf = tmp_path / "bad.toml"
    conf.write_text("no_such_key = 1\n")
    out = subprocess.run([server_binary(), "--config", str(conf)],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode != 0 and "unknown key 'no_such_key'" in out.stderr
    out = subprocess.run([server_binary(), "--fsync", "sometimes"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode != 0 and "--fsync" in out.stderr


def test_example_config_parses(tmp_path):
    root = os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    conf = os.path.join(root, "shale.toml")
    srv = ShaleServer(str(tmp_path), args=["--config", conf]).start()
    srv.cleanup()
