"""Malformed input for every parser: error replies or a closed connection,
never a crash; memory stays bounded; the server stays up."""
import os
import random
import socket
import time

import pytest

from conftest import ShaleServer, raw_command, wait_for


def rss_kib(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def alive(server):
    assert server.proc.poll() is None
    assert server.redis().ping()


RESP_CASES = [
    (b"*abc\r\n", b"-ERR Protocol error: invalid multibulk length\r\n"),
    (b"*99999999999\r\n", b"-ERR Protocol error: invalid multibulk length\r\n"),
    (b"*1\r\n$-5\r\n", b"-ERR Protocol error: invalid bulk length\r\n"),
    (b"*1\r\n$99999999999\r\n", b"-ERR Protocol error: invalid bulk length\r\n"),
    (b"*1\r\nx3\r\n", b"-ERR Protocol error: expected '$', got 'x'\r\n"),
    (b"*1\r\n$3\r\nabcXY", b"-ERR Protocol error: expected CRLF after bulk\r\n"),
]


@pytest.mark.parametrize("data,want", RESP_CASES)
def test_resp_protocol_errors(server, data, want):
    reply, closed = raw_command(server.port, data)
    assert reply == want and closed
    alive(server)


def test_resp_huge_count_allocates_nothing(server):
    before = rss_kib(server.proc.pid)
    socks = []
    for _ in range(20):
        s = socket.create_connection(("127.0.0.1", server.port))
        s.sendall(b"*1048576\r\n$536870912\r\nab")  # declared, never sent
        socks.append(s)
    assert server.redis().ping()
    assert rss_kib(server.proc.pid) - before < 100 * 1024
    for s in socks:
        s.close()


def test_resp_truncated_frames(server):
    for data in (b"*2\r\n$3\r\nGET\r\n", b"*1\r\n$4\r\nPI", b"*3\r", b"$"):
        with socket.create_connection(("127.0.0.1", server.port)) as s:
            s.sendall(data)
    alive(server)


def test_resp_inline_too_long(server):
    reply, closed = raw_command(server.port, b"A" * (70 << 10))
    assert reply == b"-ERR Protocol error: too big inline request\r\n"
    assert closed
    alive(server)


def random_junk(seed, n):
    rnd = random.Random(seed)
    return bytes(rnd.randrange(256) for _ in range(n))


@pytest.mark.parametrize("front", ["resp", "memcache", "http"])
def test_binary_junk(server, front):
    seed = random.randrange(1 << 30)
    print("seed", seed)
    port = {"resp": server.port, "memcache": server.mc_port,
            "http": server.http_port}[front]
    for i in range(30):
        with socket.create_connection(("127.0.0.1", port)) as s:
            s.settimeout(5)
            try:
                s.sendall(random_junk(seed + i, 4096))
                s.shutdown(socket.SHUT_WR)
                while s.recv(65536):
                    pass
            except (ConnectionResetError, BrokenPipeError, socket.timeout):
                pass
    alive(server)


def test_memcache_line_too_long(server):
    reply, closed = raw_command(server.mc_port, b"get " + b"k" * (70 << 10))
    assert reply == b"CLIENT_ERROR line too long\r\n" and closed
    alive(server)


def test_memcache_truncated_data(server):
    with socket.create_connection(("127.0.0.1", server.mc_port)) as s:
        s.sendall(b"set k 0 0 100\r\nonly a part")
    r = server.redis()
    assert r.get("k") is None
    alive(server)


def test_http_malformed(server):
    cases = [
        b"NOT HTTP AT ALL\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"GET /v1/kv/x HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
    ]
    for data in cases:
        reply, closed = raw_command(server.http_port, data)
        assert reply.startswith(b"HTTP/1.1 400 Bad Request\r\n"), data
        assert closed
    alive(server)


def test_http_header_and_body_limits(server):
    big_header = b"GET /healthz HTTP/1.1\r\nX-Big: " + b"a" * (20 << 10) + \
        b"\r\n\r\n"
    reply, closed = raw_command(server.http_port, big_header)
    assert reply.startswith(b"HTTP/1.1 431 ") and closed
    # A declared body over the limit is refused before it is sent.
    reply, closed = raw_command(
        server.http_port,
        b"PUT /v1/kv/x HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 413 ") and closed
    alive(server)


def test_client_that_never_reads(server):
    """A client pipelines reads of a big value and never reads the replies:
    the server stops reading from it (TCP backpressure) instead of queueing
    replies, so its memory stays bounded; other clients are served."""
    r = server.redis()
    r.set("big", b"x" * (1 << 20))
    before = rss_kib(server.proc.pid)
    s = socket.create_connection(("127.0.0.1", server.port))
    s.setblocking(False)
    req = b"*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n" * 1000
    sent = 0
    deadline = time.monotonic() + 3
    # ~1 GiB of replies requested if the server read it all.
    while sent < len(req) * 1000 and time.monotonic() < deadline:
        try:
            sent += s.send(req)
        except BlockingIOError:
            time.sleep(0.01)
    assert r.ping()
    grown = rss_kib(server.proc.pid) - before
    assert grown < 200 * 1024, "server grew by %d KiB" % grown
    s.close()
    alive(server)


def test_idle_timeout_and_maxclients(tmp_path):
    srv = ShaleServer(str(tmp_path), args=["--timeout", "1",
                                           "--maxclients", "3"]).start()
    try:
        with socket.create_connection(("127.0.0.1", srv.port)) as s:
            s.settimeout(10)
            t0 = time.monotonic()
            assert s.recv(100) == b""  # closed by the server
            assert 0.5 < time.monotonic() - t0 < 9
        socks = [socket.create_connection(("127.0.0.1", srv.port))
                 for _ in range(3)]
        for s in socks:
            s.sendall(b"PING\r\n")
            assert s.recv(100) == b"+PONG\r\n"
        reply, closed = raw_command(srv.port, b"PING\r\n")
        assert reply == b"-ERR max number of clients reached\r\n" and closed
        for s in socks:
            s.close()
        wait_for(lambda: raw_command(srv.port, b"PING\r\n",
                                     until=lambda b: b.endswith(b"\r\n"))[0]
                 == b"+PONG\r\n", 10, "a free client slot")
    finally:
        srv.cleanup()


def test_slow_reader_is_dropped(tmp_path):
    """A client whose replies cannot be written for write_timeout seconds is
    disconnected (and its memory released)."""
    conf = tmp_path / "shale.toml"
    conf.write_text("write_timeout = 1\n")
    srv = ShaleServer(str(tmp_path), args=["--config", str(conf)],
                      memcache=False, http=False).start()
    try:
        r = srv.redis()
        r.set("big", b"x" * (1 << 20))
        s = socket.create_connection(("127.0.0.1", srv.port))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.sendall(b"*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n" * 64)
        wait_for(lambda: r.info("clients")["connected_clients"] == 1, 20,
                 "the slow reader to be dropped")
        s.close()
    finally:
        srv.cleanup()
