"""CONFIG GET / SET / RESETSTAT / REWRITE / HELP, compared with a real
redis-server 7.0 where the answer does not depend on whose server it is."""
import os
import subprocess

import pytest
import redis

from conftest import ShaleServer, server_binary
from real_redis import real_redis as real, reply_of as reply  # noqa: F401

# Parameters whose value is shale's own (its settings under their Redis
# names, or what shale answers differently: docs/protocols.md).
SHALE_VALUED = {"port", "bind", "dir", "io-threads", "timeout", "logfile",
                "appendonly", "save", "unixsocket", "databases"}

# Not set on the real server by the loop below: they would rebind it, cut
# off the test's client or start writing files.
NOT_ON_REAL = {"port", "bind", "dir", "requirepass", "appendonly",
               "maxclients", "timeout", "masterauth", "masteruser"}


def config_map(client, *patterns):
    return dict(_pairs(reply(client, "CONFIG", "GET", *patterns)))


def _pairs(flat):
    return [(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)]


@pytest.fixture(scope="module")
def shale():
    s = ShaleServer(memcache=False, http=False).start()
    yield s
    s.cleanup()


def test_every_parameter_and_default(shale, real):
    mine = config_map(shale.redis(), "*")
    theirs = config_map(real.redis(), "*")
    assert sorted(mine) == sorted(theirs)
    for name, value in theirs.items():
        if name.decode() in SHALE_VALUED:
            continue
        assert mine[name] == value, name
    # Hidden parameters answer an exact name only.
    for c in (shale.redis(), real.redis()):
        assert reply(c, "CONFIG", "GET", "watchdog-period") == \
            [b"watchdog-period", b"0"]
        assert b"watchdog-period" not in config_map(c, "watchdog*")


def test_get_patterns_and_names(shale, real):
    for args in (["maxCLIENTS"], ["maxc*", "MAXCLIENTS"], ["MAXCLIENTS", "maxc*"],
                 ["slave-pri*"], ["*priority*"], ["nosuch"], ["hz", "hz"],
                 ["list-max-*", "hash-max-*"], ["[mh]z"], ["?z"]):
        mine = _pairs(reply(shale.redis(), "CONFIG", "GET", *args))
        theirs = _pairs(reply(real.redis(), "CONFIG", "GET", *args))
        assert sorted(mine) == sorted(theirs), args


def values_for(name, value):
    """Values to try for a parameter whose current value is `value`."""
    common = ["", "abc", "0", "1", "-1", "01", "+1", "1.5", " 5", "5 ", "yes",
              "no", "YES", "No", "true", "1k", "1kb", "1KB", "2mb", "1gb",
              "1g", "5%", "0%", "100%", "101%", "-5%", "65535", "65536",
              "2147483647", "2147483648", "-2147483649", "4294967296",
              "9223372036854775807", "9223372036854775808",
              "-9223372036854775808", "18446744073709551615",
              "99999999999999999999", "777", "0777", "1000", "1001", "a/b",
              "a b", "hello.world", "x_y"]
    special = {
        "save": ["3600 1 300 100", "0 1", "1 -1", "x 1", "1 2 3", "1  2",
                 "+5 -0", "60 10000"],
        "client-output-buffer-limit": [
            "normal 1 2 3", "replica 1gb 2mb 5", "slave 0 0 0", "master 1 1 1",
            "normal 1 1", "normal 1 1 -1", "NORMAL 1k 1k 1",
            "pubsub 1 2 x", "pubsub 32mb 8mb 60 normal 0 0 0", "normal 1 -1 1"],
        "oom-score-adj-values": ["1 2", "1 2 3", "1 2 3000", "-2000 0 2000",
                                 "1 2 x", "0 200 800"],
        "notify-keyspace-events": ["KEA", "x$", "g$lshzxetd", "nmKE", "Q",
                                   "A A", "AKE", "Kx", "Em", ""],
        "latency-tracking-info-percentiles": [
            "50 99 99.9", "x", "101", "0.5 1e1 50.0 99.99999", "-1", "100",
            "50  99", "nan", "inf"],
        "proc-title-template": ["{title}", "x", "{port}", "{{", "{title",
                                "}", "{server-mode}", "{unixsocket}",
                                "{title} {listen-addr} {server-mode}", " "],
        "cluster-announce-hostname": ["a" * 256, "a" * 255, "a-b.c", "a_b"],
        "replicaof": ["127.0.0.1 1", "no one"],
        "slaveof": ["127.0.0.1 1"],
    }
    return special.get(name, []) + common


def test_set_parse_and_errors_match_redis(shale, real):
    """Every settable parameter, every kind of value: the same reply (OK or
    the same error text) and the same value after it."""
    mine, theirs = shale.redis(), real.redis()
    names = [n.decode() for n in config_map(theirs, "*")]
    tried = 0
    for name in sorted(names):
        if name in NOT_ON_REAL:
            continue
        original = config_map(theirs, name)[name.encode()]
        for v in values_for(name, original):
            if name == "maxclients" and len(v) > 6:
                continue
            a = reply(mine, "CONFIG", "SET", name, v)
            b = reply(theirs, "CONFIG", "SET", name, v)
            assert a == b, (name, v)
            if name not in SHALE_VALUED:
                assert config_map(mine, name) == config_map(theirs, name), \
                    (name, v)
            tried += 1
        reply(theirs, "CONFIG", "SET", name, original)
        reply(mine, "CONFIG", "SET", name, original)
    assert tried > 5000


def test_set_several_is_atomic(shale, real):
    mine, theirs = shale.redis(), real.redis()
    cases = [
        ["maxclients", "10", "maxclients", "20"],
        ["maxclients", "10", "foo", "2"],
        ["daemonize", "yes", "foo", "2"],
        ["foo", "2", "daemonize", "yes"],
        ["hz", "20", "slowlog-max-len", "abc"],
        ["hz", "20", "DAEMONIZE", "yes"],
        ["hz", "20", "slave-priority", "x"],
        ["slowlog-max-len", "7", "hz", "20", "latency-monitor-threshold", "5"],
        ["hz", "30", "maxmemory", "1gb", "notify-keyspace-events", "Q"],
        ["hz", "10", "maxmemory", "0"],
        ["a"], ["a", "b", "c"],
    ]
    for case in cases:
        a = reply(mine, "CONFIG", "SET", *case)
        b = reply(theirs, "CONFIG", "SET", *case)
        assert a == b, case
        for name in ("hz", "slowlog-max-len", "maxmemory", "maxclients",
                     "latency-monitor-threshold", "notify-keyspace-events"):
            assert config_map(mine, name) == config_map(theirs, name), case
    for c in (mine, theirs):
        reply(c, "CONFIG", "SET", "slowlog-max-len", "128", "hz", "10",
              "latency-monitor-threshold", "0")


def test_errors_and_help_match_redis(shale, real):
    for args in (["CONFIG"], ["CONFIG", "FOO"], ["CONFIG", "GET"],
                 ["CONFIG", "SET", "a"], ["CONFIG", "HELP"],
                 ["CONFIG", "HELP", "x"], ["CONFIG", "RESETSTAT", "x"],
                 ["CONFIG", "REWRITE"], ["config", "foo\r\nbar"]):
        assert reply(shale.redis(), *args) == reply(real.redis(), *args), args


def test_applied_at_runtime(tmp_path):
    srv = ShaleServer(str(tmp_path), memcache=False, http=False).start()
    try:
        r = srv.redis()
        # requirepass: new connections must authenticate, the old one stays.
        assert r.config_set("requirepass", "pw") is True
        with pytest.raises(redis.AuthenticationError):
            srv.redis().ping()
        assert srv.redis(password="pw").ping() is True
        assert r.config_set("requirepass", "") is True
        assert srv.redis().ping() is True
        # maxclients: connections beyond it are refused.
        assert r.config_set("maxclients", "1") is True
        # Read off a raw socket: the refusal comes at accept, before any
        # request, and redis-py reports it as "Connection has data" or
        # "Connection not ready" when it lands before its own check.
        import socket
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
        f = s.makefile("rb")
        assert f.readline() == b"-ERR max number of clients reached\r\n"
        assert f.read() == b""
        s.close()
        assert r.config_set("maxclients", "10000") is True
        assert srv.redis().ping() is True
        # appendfsync is the keyspace's policy.
        assert r.config_set("appendfsync", "always") is True
        assert r.config_get("appendfsync") == {"appendfsync": "always"}
        r.set("k", "v")
        # proto-max-bulk-len bounds values (and bulk arguments).
        assert r.config_set("proto-max-bulk-len", "1mb") is True
        with pytest.raises(redis.ResponseError):
            r.append("k", b"x" * (1 << 20))
        assert r.config_set("proto-max-bulk-len", "512mb") is True
        # hz is clamped as Redis clamps it.
        assert r.config_set("hz", "1000") is True
        assert r.config_get("hz") == {"hz": "500"}
        # No TLS: turning it on fails as a failed TLS setup does.
        with pytest.raises(redis.ResponseError, match="TLS configuration"):
            r.config_set("tls-port", "6390")
        assert r.config_get("tls-port") == {"tls-port": "0"}
    finally:
        srv.cleanup()


def test_timeout_closes_idle_connections(tmp_path):
    srv = ShaleServer(str(tmp_path), memcache=False, http=False).start()
    try:
        r = srv.redis()
        assert r.config_set("timeout", "1") is True
        idle = srv.redis(single_connection_client=True)
        idle.ping()
        from conftest import wait_for
        wait_for(lambda: r.info("clients")["connected_clients"] == 1, 10,
                 "the idle client to be closed")
    finally:
        srv.cleanup()


def start_with_config(tmp_path, text):
    conf = tmp_path / "shale.toml"
    conf.write_text(text)
    srv = ShaleServer(str(tmp_path), args=["--config", str(conf)],
                      memcache=False, http=False).start()
    return srv, conf


def test_config_file_redis_parameters(tmp_path):
    srv, _ = start_with_config(
        tmp_path, 'hash-max-listpack-entries = 1024\n'
        'notify-keyspace-events = "KEA"\nactiverehashing = false\n'
        'maxmemory = "1gb"\nappendfsync = "always"\nslaveof = "127.0.0.1 7"\n')
    try:
        r = srv.redis()
        got = r.config_get("*")
        assert got["hash-max-listpack-entries"] == "1024"
        assert got["notify-keyspace-events"] == "AKE"
        assert got["activerehashing"] == "no"
        assert got["maxmemory"] == "1073741824"
        assert got["appendfsync"] == "always"
        assert got["replicaof"] == "127.0.0.1 7"
    finally:
        srv.cleanup()


@pytest.mark.parametrize("text,message", [
    ("maxmemory = \"1xb\"\n", "maxmemory: argument must be a memory value"),
    ("hz = [1]\n", "hz must be a string, an integer or a boolean"),
    ("fsync = \"always\"\nappendfsync = \"no\"\n", "are the same setting"),
    ("nosuch-param = 1\n", "unknown key 'nosuch-param'"),
])
def test_config_file_bad_redis_parameter(tmp_path, text, message):
    conf = tmp_path / "bad.toml"
    conf.write_text(text)
    out = subprocess.run([server_binary(), "--config", str(conf),
                          "--dir", str(tmp_path / "d")],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode != 0 and message in out.stderr, out.stderr


def test_rewrite(tmp_path):
    original = ('# my server\n'
                'fsync = "everysec"   # keep this comment\n'
                'threads = 2\n'
                'log_level = "error"\n'
                'hash-max-ziplist-entries = 512  # the alias\n'
                'memcache_port = 0\n')
    srv, conf = start_with_config(tmp_path, original)
    try:
        r = srv.redis()
        assert r.config_set("appendfsync", "always") is True
        assert r.config_set("hash-max-listpack-entries", "99") is True
        assert r.config_set("notify-keyspace-events", "Ex") is True
        assert r.config_set("maxmemory-clients", "10%") is True
        assert r.config_set("maxmemory", "18446744073709551615") is True
        assert r.config_set("requirepass", 'p"w\\') is True
        r = srv.redis(password='p"w\\')
        assert r.config_rewrite() == b"OK"
        text = conf.read_text()
        lines = text.splitlines()
        assert lines[0] == "# my server"
        assert lines[1] == 'fsync = "always"   # keep this comment'
        assert lines[2] == "threads = 2"
        assert lines[3] == 'log_level = "error"'  # still "warning"
        assert lines[4] == "hash-max-ziplist-entries = 99  # the alias"
        assert lines[5] == "memcache_port = 0"
        assert "# Generated by CONFIG REWRITE" in lines
        assert 'notify-keyspace-events = "xE"' in lines
        assert 'maxmemory-clients = "10%"' in lines
        assert 'maxmemory = "18446744073709551615"' in lines
        assert 'requirepass = "p\\"w\\\\"' in lines
        # A second rewrite with nothing changed leaves the file as it is.
        assert r.config_rewrite() == b"OK"
        assert conf.read_text() == text
        # The rewritten file starts a server with the same values.
        before = r.config_get("*")
        srv.stop()
        srv.start()
        after = srv.redis(password='p"w\\').config_get("*")
        for k in before:
            if k not in ("port",):
                assert before[k] == after[k], k
    finally:
        srv.cleanup()


def test_rewrite_keeps_tables_last_and_unknown_lines(tmp_path):
    srv, conf = start_with_config(tmp_path, "timeout = 5\n")
    try:
        r = srv.redis()
        # The file is edited by hand meanwhile: a table appears.
        conf.write_text("timeout = 5\n\n[extra]\nx = 1\n")
        assert r.config_set("hz", "20") is True
        assert r.config_rewrite() == b"OK"
        lines = conf.read_text().splitlines()
        assert lines.index("hz = 20") < lines.index("[extra]")
        assert lines[-1] == "x = 1"
    finally:
        srv.cleanup()


def test_rewrite_errors(tmp_path, shale):
    r = shale.redis()
    with pytest.raises(redis.ResponseError,
                       match="^The server is running without a config file$"):
        r.config_rewrite()
    srv, conf = start_with_config(tmp_path, "timeout = 5\n")
    try:
        conf.write_text("timeout = = 5\n")
        with pytest.raises(redis.ResponseError,
                           match="^Rewriting config file: "):
            srv.redis().config_rewrite()
        os.chmod(tmp_path, 0o500)
        conf.write_text("timeout = 5\n")
        if os.geteuid() != 0:
            with pytest.raises(redis.ResponseError,
                               match="^Rewriting config file: "):
                srv.redis().config_rewrite()
    finally:
        os.chmod(tmp_path, 0o700)
        srv.cleanup()


def test_config_inside_multi(shale, real):
    """Sentinel reconfigures a server with CONFIG inside MULTI/EXEC."""
    for c in (shale.redis(), real.redis()):
        c.config_set("hz", "10")
    for seq in ([["CONFIG", "SET", "hz", "15"], ["CONFIG", "GET", "hz"]],
                [["CONFIG", "FOO"], ["CONFIG", "GET", "hz"]],
                [["CONFIG", "GET"], ["PING"]],
                [["CONFIG", "SET", "hz", "x"], ["CONFIG", "GET", "hz"]]):
        replies = []
        for c in (shale.redis(), real.redis()):
            p = c.pipeline(transaction=False)
            p.execute_command("MULTI")
            for cmd_args in seq:
                p.execute_command(*cmd_args)
            p.execute_command("EXEC")
            replies.append([str(x) for x in p.execute(raise_on_error=False)])
        assert replies[0] == replies[1], seq
    for c in (shale.redis(), real.redis()):
        c.config_set("hz", "10")
