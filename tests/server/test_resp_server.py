"""RESP connection and server commands, RESP3, and redis-cli."""
import subprocess
import time

import pytest
import redis

from conftest import cmd, raw_command


def err(fn, *a):
    with pytest.raises(redis.ResponseError) as e:
        fn(*a)
    return str(e.value)


def cli(server, *args, stdin=None):
    out = subprocess.run(["redis-cli", "-p", str(server.port)] + list(args),
                         input=stdin, capture_output=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_ping_echo(r):
    assert r.ping() is True
    assert cmd(r, "PING", "hi") == b"hi"
    assert r.echo(b"\x00bin") == b"\x00bin"
    assert err(r.execute_command, "PING", "a", "b") == \
        "wrong number of arguments for 'ping' command"


def test_unknown_command(r):
    assert err(r.execute_command, "NOPE", "a", "b") == \
        "unknown command 'NOPE', with args beginning with: 'a' 'b' "
    assert err(r.execute_command, "NOPE") == \
        "unknown command 'NOPE', with args beginning with: "


def test_select(r):
    assert r.execute_command("SELECT", "0") is True
    assert r.execute_command("SELECT", "15") is True
    assert err(r.execute_command, "SELECT", "16") == "DB index is out of range"
    assert r.execute_command("SELECT", "0") is True
    assert err(r.execute_command, "SELECT", "x") == \
        "value is not an integer or out of range"


def test_auth_without_password(r):
    assert err(r.execute_command, "AUTH", "x").startswith(
        "AUTH <password> called without any password configured")
    assert r.execute_command("AUTH", "default", "any") is True


def test_client_commands(r):
    assert r.client_setname("worker-1") is True
    assert r.client_getname() == "worker-1"
    cid = r.client_id()
    assert isinstance(cid, int) and cid > 0
    info = cmd(r, "CLIENT", "INFO")
    assert b"id=%d " % cid in info and b"name=worker-1" in info
    lst = r.client_list()
    assert any(c["name"] == "worker-1" for c in lst)
    assert err(r.execute_command, "CLIENT", "SETNAME", "a b").startswith(
        "Client names cannot contain spaces")
    assert err(r.execute_command, "CLIENT", "BOGUS") == \
        "unknown subcommand 'BOGUS'. Try CLIENT HELP."


def test_config(r):
    assert r.config_get("appendonly") == {"appendonly": "yes"}
    assert r.config_get("appendfsync") == {"appendfsync": "everysec"}
    assert "maxclients" in r.config_get("max*")
    assert r.config_get("nosuch") == {}
    assert err(r.execute_command, "CONFIG", "SET", "nosuch", "1").startswith(
        "Unknown option or number of arguments for CONFIG SET - 'nosuch'")
    assert r.config_resetstat() is True
    assert err(r.execute_command, "CONFIG", "FOO") == \
        "unknown subcommand 'FOO'. Try CONFIG HELP."


def test_command(r):
    n = cmd(r, "COMMAND", "COUNT")
    assert n >= 54
    info = cmd(r, "COMMAND", "INFO", "get", "nosuch")
    assert info[0][0] == b"get" and info[0][1] == 2 and info[1] is None
    docs = cmd(r, "COMMAND", "DOCS", "set")
    assert docs[0] == b"set"
    assert len(cmd(r, "COMMAND")) == n


def test_info(r):
    r.set("a", 1)
    info = r.info()
    assert info["redis_version"] == "7.0.0"
    assert info["db0"]["keys"] == 1
    assert "connected_clients" in info
    assert "total_commands_processed" in info
    shale = r.info("shale")
    assert "level0_files" in shale
    assert set(r.info("keyspace")) == {"db0"}


def test_time_function(r):
    t = r.time()
    assert abs(t[0] - time.time()) < 5
    assert cmd(r, "FUNCTION", "FLUSH") == b"OK"


def test_quit_closes(server):
    reply, closed = raw_command(server.port, b"QUIT\r\nPING\r\n")
    assert reply == b"+OK\r\n" and closed


def test_resp3_hello(server):
    reply, _ = raw_command(
        server.port, b"HELLO 3\r\nGET nokey\r\nCONFIG GET appendonly\r\n",
        until=lambda b: b.endswith(b"$3\r\nyes\r\n"))
    assert reply.startswith(b"%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n")
    assert b"$5\r\nproto\r\n:3\r\n" in reply
    assert b"_\r\n%1\r\n$10\r\nappendonly\r\n$3\r\nyes\r\n" in reply
    reply, _ = raw_command(server.port, b"HELLO 4\r\n",
                           until=lambda b: b.endswith(b"\r\n"))
    assert reply == b"-NOPROTO unsupported protocol version\r\n"


def test_resp3_types(server):
    reply, _ = raw_command(
        server.port,
        b"HELLO 3\r\nSET f 1.5\r\nINCRBYFLOAT f 1\r\nCLIENT INFO\r\n"
        b"RESET\r\nGET nokey\r\n",
        until=lambda b: b.endswith(b"+RESET\r\n$-1\r\n"))
    assert b"$3\r\n2.5\r\n" in reply   # INCRBYFLOAT stays a bulk string
    assert b"=" in reply and b"txt:id=" in reply  # verbatim string


def test_reset(server):
    reply, _ = raw_command(server.port, b"CLIENT SETNAME x\r\nRESET\r\n"
                           b"CLIENT GETNAME\r\n",
                           until=lambda b: b.endswith(b"$-1\r\n"))
    assert reply == b"+OK\r\n+RESET\r\n$-1\r\n"


def test_redis_cli(server):
    assert cli(server, "SET", "cli", "v") == b"OK\n"
    assert cli(server, "GET", "cli") == b"v\n"
    assert cli(server, "-3", "HELLO", "3").startswith(b"server redis\nversion")
    # Piped commands (inline protocol) and --pipe (mass insertion).
    assert cli(server, stdin=b"SET x 1\nINCR x\nGET x\n") == b"OK\n2\n2\n"
    proto = b"".join(b"*3\r\n$3\r\nSET\r\n$3\r\nk%d\r\n$1\r\n%d\r\n" % (i, i % 10)
                     for i in range(10, 100))
    out = cli(server, "--pipe", stdin=proto)
    assert b"errors: 0, replies: 90" in out
    assert cli(server, "--scan", "--pattern", "k1*").count(b"\n") == 10
    assert cli(server, "DBSIZE").strip().isdigit()


def test_inline_quoting(server):
    reply, _ = raw_command(server.port,
                           b'SET "a b" "x\\ny"\r\nGET "a b"\r\nSET \'q\' \'it\\\'s\'\r\nGET q\r\n',
                           until=lambda b: b.count(b"\r\n") >= 6)
    assert reply == b"+OK\r\n$3\r\nx\ny\r\n+OK\r\n$4\r\nit's\r\n"
    reply, closed = raw_command(server.port, b'SET "a b\r\n')
    assert reply == b"-ERR Protocol error: unbalanced quotes in request\r\n"
    assert closed
