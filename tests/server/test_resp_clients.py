"""CLIENT KILL, PAUSE, UNPAUSE, NO-EVICT, REPLY and MONITOR across several
connections, byte for byte against redis-server 7.0 (real_redis.py) where
the replies are deterministic: error texts and counts, killing by ID, ADDR,
LADDR and TYPE, killing oneself (the reply comes first), killing a client
that is blocked (its element is not lost), subscribed or inside MULTI, and
a pause holding (not refusing) writers or everything until it ends, RESP,
memcached and HTTP alike; CLIENT REPLY scripts and MONITOR's lines
(timestamps and ports normalised), and a MONITOR that does not read being
disconnected by its output buffer limit.

A client is known held or blocked when INFO's blocked_clients counts it,
and known gone when CLIENT LIST no longer shows it (both polled); no test
sleeps to synchronize. nothing_within() only asserts that a held client
got no reply yet."""
import re
import time

import pytest

from real_redis import real_redis  # noqa: F401
from resp_raw import RawConn


def conn(port, proto=2):
    c = RawConn(port)
    if proto == 3:
        c.call("HELLO", "3")
    return c


def info_field(c, section, field):
    text = c.call("INFO", section).decode()
    for line in text.split("\r\n"):
        if line.startswith(field + ":"):
            return int(line.split(":")[1])
    raise AssertionError("no %s in INFO: %r" % (field, text))


def poll(cond, what):
    deadline = time.monotonic() + 10
    while not cond():
        assert time.monotonic() < deadline, "never: " + what
        time.sleep(0.002)


def wait_blocked(ctl, n):
    poll(lambda: info_field(ctl, "clients", "blocked_clients") == n,
         "blocked_clients == %d" % n)


def client_ids(ctl):
    # RESP3 answers a verbatim string: its first line starts "txt:".
    text = ctl.call("CLIENT", "LIST").decode()
    return {int(m) for m in re.findall(r"(?:^|[ :])id=(\d+)", text, re.M)}


def field_of(c, name):
    """A field (addr, laddr ...) of c's own CLIENT INFO line."""
    text = c.call("CLIENT", "INFO").decode()
    for f in text.split(" "):
        if f.startswith(name + "="):
            return f[len(name) + 1:].strip()
    raise AssertionError("no %s in %r" % (name, text))


def client_id(c):
    return int(c.call("CLIENT", "ID")[1:-2])


# Deterministic on a server where the caller is the only client.
ALONE = [
    ("CLIENT", "KILL"),
    ("CLIENT", "KILL", "1.2.3.4:5"),
    ("CLIENT", "KILL", "id"),
    ("CLIENT", "KILL", "ID", "x"),
    ("CLIENT", "KILL", "ID", "0"),
    ("CLIENT", "KILL", "ID", "-1"),
    ("CLIENT", "KILL", "ID", "99999999999999999999"),
    ("CLIENT", "KILL", "ID", "987654"),
    ("CLIENT", "KILL", "TYPE", "foo"),
    ("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "maybe"),
    ("CLIENT", "KILL", "USER", "bob"),
    ("CLIENT", "KILL", "USER", "default"),
    ("CLIENT", "KILL", "USER", "default", "SKIPME", "yes"),
    ("CLIENT", "KILL", "foo", "bar"),
    ("CLIENT", "KILL", "ID", "5", "TYPE"),
    ("CLIENT", "KILL", "LADDR", "1.2.3.4:5"),
    ("CLIENT", "KILL", "ADDR", "1.2.3.4:5", "SKIPME", "no"),
    ("CLIENT", "KILL", "TYPE", "slave"),
    ("CLIENT", "KILL", "TYPE", "replica", "SKIPME", "no"),
    ("CLIENT", "KILL", "TYPE", "PubSub"),
    ("CLIENT", "KILL", "TYPE", "master", "SKIPME", "no"),
    ("CLIENT", "KILL", "TYPE", "normal"),
    ("CLIENT", "PAUSE"),
    ("CLIENT", "PAUSE", "x"),
    ("CLIENT", "PAUSE", "-1"),
    ("CLIENT", "PAUSE", "10", "foo"),
    ("CLIENT", "PAUSE", "x", "foo"),
    ("CLIENT", "PAUSE", "1", "2", "3"),
    ("CLIENT", "PAUSE", "0", "WRITE"),
    ("CLIENT", "PAUSE", "0"),
    ("CLIENT", "PAUSE", "9223372036854775807"),
    ("CLIENT", "UNPAUSE", "x"),
    ("CLIENT", "UNPAUSE"),
    ("CLIENT", "NO-EVICT"),
    ("CLIENT", "NO-EVICT", "maybe"),
    ("CLIENT", "NO-EVICT", "on", "x"),
    ("CLIENT", "NO-EVICT", "On"),
    ("CLIENT", "NO-EVICT", "OFF"),
    ("SET", "k", "v"),
]


def alone_script(port, proto):
    c = conn(port, proto)
    # Earlier tests' connections are gone from the server first.
    poll(lambda: client_ids(c) == {client_id(c)}, "alone")
    out = [(step, c.call(*step)) for step in ALONE]
    c.close()
    return out


@pytest.mark.parametrize("proto", [2, 3])
def test_errors_and_counts_alone(server, real_redis, proto):  # noqa: F811
    ours = alone_script(server.port, proto)
    theirs = alone_script(real_redis.port, proto)
    bad = [(s, a, b) for (s, a), (_, b) in zip(ours, theirs) if a != b]
    assert not bad, bad


def no_evict_flags(port):
    c = conn(port)
    out = [field_of(c, "flags")]
    c.call("CLIENT", "NO-EVICT", "on")
    out.append(field_of(c, "flags"))
    c.call("CLIENT", "NO-EVICT", "off")
    out.append(field_of(c, "flags"))
    c.close()
    return out


def test_no_evict_flag(server, real_redis):  # noqa: F811
    assert no_evict_flags(server.port) == no_evict_flags(real_redis.port)
    assert no_evict_flags(server.port) == ["N", "e", "N"]


def kill_script(port):
    """Kills by each filter; returns the replies (ids and addresses are
    the test's own, so the replies compare across servers)."""
    out = []
    a = conn(port)
    poll(lambda: client_ids(a) == {client_id(a)}, "alone")
    b, c = conn(port), conn(port)
    bid = client_id(b)
    out.append(a.call("CLIENT", "KILL", "ID", str(bid)))
    out.append(b.closed_within(10))
    poll(lambda: bid not in client_ids(a), "b gone")
    # The old form by address: +OK, then nobody left there.
    caddr = field_of(c, "addr")
    out.append(a.call("CLIENT", "KILL", caddr))
    out.append(c.closed_within(10))
    out.append(a.call("CLIENT", "KILL", caddr))
    # ADDR and ID must both match.
    d = conn(port)
    daddr, did = field_of(d, "addr"), client_id(d)
    out.append(a.call("CLIENT", "KILL", "ADDR", daddr, "ID", str(did + 1)))
    out.append(a.call("CLIENT", "KILL", "ADDR", daddr, "ID", str(did),
                      "TYPE", "normal", "USER", "default"))
    out.append(d.closed_within(10))
    # LADDR: every client of this port but the caller (SKIPME yes).
    e, f = conn(port), conn(port)
    # A round trip each: the server has registered both before the KILL.
    out.append((e.call("PING"), f.call("PING")))
    laddr = field_of(a, "laddr")
    out.append(a.call("CLIENT", "KILL", "LADDR", laddr))
    out.append(e.closed_within(10) and f.closed_within(10))
    out.append(a.call("PING"))
    a.close()
    return out


def test_kill_filters(server, real_redis):  # noqa: F811
    assert kill_script(server.port) == kill_script(real_redis.port)


def self_kill_script(port):
    out = []
    a = conn(port)
    a.send("CLIENT", "KILL", "ID", str(client_id(a)), "SKIPME", "no")
    a.send("PING")  # never answered: the client closes after the reply
    out.append(a.reply())
    out.append(a.closed_within(10))
    b = conn(port)
    out.append(b.call("CLIENT", "KILL", "ID", str(client_id(b))))
    out.append(b.call("CLIENT", "KILL", field_of(b, "addr")))
    out.append(b.closed_within(10))
    return out


def test_kill_self_replies_first(server, real_redis):  # noqa: F811
    assert self_kill_script(server.port) == self_kill_script(real_redis.port)


def test_kill_blocked_keeps_element(server):
    ctl, b = conn(server.port), conn(server.port)
    ctl.call("FLUSHALL")
    base = info_field(ctl, "clients", "blocked_clients")
    b.send("BLPOP", "q", "0")
    wait_blocked(ctl, base + 1)
    assert ctl.call("CLIENT", "KILL", "ID",
                    str(_id_of_blocked(ctl))) == b":1\r\n"
    assert b.closed_within(10)
    wait_blocked(ctl, base)
    assert ctl.call("LPUSH", "q", "x") == b":1\r\n"
    assert ctl.call("LRANGE", "q", "0", "-1") == b"*1\r\n$1\r\nx\r\n"
    ctl.close()


def _id_of_blocked(ctl):
    for line in ctl.call("CLIENT", "LIST").decode().splitlines():
        if " flags=b " in line:
            return int(line.split(" ")[0][3:])
    raise AssertionError("no blocked client")


def test_kill_subscribed_and_type(server):
    ctl, sub, other = conn(server.port), conn(server.port), conn(server.port)
    sub.call("SUBSCRIBE", "ch")
    poll(lambda: ctl.call("PUBSUB", "NUMSUB", "ch").endswith(b":1\r\n"),
         "subscribed")
    oid = client_id(other)
    # TYPE normal spares the subscriber and the caller.
    n = int(ctl.call("CLIENT", "KILL", "TYPE", "normal")[1:-2])
    assert n >= 1
    assert other.closed_within(10)
    poll(lambda: oid not in client_ids(ctl), "other gone")
    assert ctl.call("CLIENT", "KILL", "TYPE", "pubsub") == b":1\r\n"
    assert sub.closed_within(10)
    poll(lambda: ctl.call("PUBSUB", "NUMSUB", "ch").endswith(b":0\r\n"),
         "unsubscribed")
    assert ctl.call("PUBLISH", "ch", "m") == b":0\r\n"
    ctl.close()


def test_kill_in_multi(server):
    ctl, m = conn(server.port), conn(server.port)
    ctl.call("DEL", "mk")
    mid = client_id(m)
    assert m.call("MULTI") == b"+OK\r\n"
    assert m.call("SET", "mk", "v") == b"+QUEUED\r\n"
    assert ctl.call("CLIENT", "KILL", "ID", str(mid)) == b":1\r\n"
    assert m.closed_within(10)
    assert ctl.call("GET", "mk") == b"$-1\r\n"
    ctl.close()


def test_pause_write_holds_writers_until_unpause(server):
    ctl, w, rd = conn(server.port), conn(server.port), conn(server.port)
    ctl.call("DEL", "pk")
    base = info_field(ctl, "clients", "blocked_clients")
    assert ctl.call("CLIENT", "PAUSE", "100000", "WRITE") == b"+OK\r\n"
    try:
        # Pipelined: the SET is held, and the GET behind it with it.
        w.send("SET", "pk", "1")
        w.send("GET", "pk")
        wait_blocked(ctl, base + 1)
        line = [l for l in ctl.call("CLIENT", "LIST").decode().splitlines()
                if " flags=b " in l]
        assert len(line) == 1 and "cmd=set " in line[0], line
        # Reads of other clients go on; so do the pauser's.
        assert rd.call("GET", "pk") == b"$-1\r\n"
        assert ctl.call("EXISTS", "pk") == b":0\r\n"
        # PUBLISH counts as a write; a read-only EXEC does not.
        p = conn(server.port)
        p.send("PUBLISH", "ch", "m")
        wait_blocked(ctl, base + 2)
        assert rd.call("MULTI") == b"+OK\r\n"
        assert rd.call("GET", "pk") == b"+QUEUED\r\n"
        assert rd.call("EXEC") == b"*1\r\n$-1\r\n"
        # Queuing a write inside MULTI is held (as Redis 7.0).
        assert rd.call("MULTI") == b"+OK\r\n"
        rd.send("INCR", "pk")
        wait_blocked(ctl, base + 3)
        # Scripts: EVAL is held unless its shebang says no-writes;
        # EVAL_RO is not.
        e = conn(server.port)
        assert e.call("EVAL_RO", "return 1", "0") == b":1\r\n"
        assert e.call("EVAL", "#!lua flags=no-writes\nreturn 2", "0") == \
            b":2\r\n"
        e.send("EVAL", "return 3", "0")
        wait_blocked(ctl, base + 4)
        assert w.nothing_within(0.05)
    finally:
        assert ctl.call("CLIENT", "UNPAUSE") == b"+OK\r\n"
    assert w.reply() == b"+OK\r\n"
    assert w.reply() == b"$1\r\n1\r\n"
    assert p.reply() == b":0\r\n"
    assert rd.reply() == b"+QUEUED\r\n"
    assert rd.call("EXEC") == b"*1\r\n:2\r\n"
    assert e.reply() == b":3\r\n"
    wait_blocked(ctl, base)
    for c in (ctl, w, rd, p, e):
        c.close()


def test_pause_all_holds_everyone_until_it_ends(server):
    ctl, other = conn(server.port), conn(server.port)
    base = info_field(ctl, "clients", "blocked_clients")
    start = time.monotonic()
    assert ctl.call("CLIENT", "PAUSE", "300", "ALL") == b"+OK\r\n"
    # Even the pausing client waits, and so does CLIENT UNPAUSE.
    ctl.send("PING")
    other.send("CLIENT", "UNPAUSE")
    assert other.reply() == b"+OK\r\n"
    assert ctl.reply() == b"+PONG\r\n"
    assert time.monotonic() - start >= 0.25
    assert info_field(ctl, "clients", "blocked_clients") == base
    ctl.close()
    other.close()


def test_pause_extends_to_the_later_end(server):
    ctl, w = conn(server.port), conn(server.port)
    base = info_field(ctl, "clients", "blocked_clients")
    start = time.monotonic()
    assert ctl.call("CLIENT", "PAUSE", "400", "WRITE") == b"+OK\r\n"
    assert ctl.call("CLIENT", "PAUSE", "50", "WRITE") == b"+OK\r\n"
    w.send("SET", "ek", "1")
    assert w.reply() == b"+OK\r\n"
    assert time.monotonic() - start >= 0.35
    # A WRITE pause then ALL: ALL until the later end.
    assert ctl.call("CLIENT", "PAUSE", "50", "WRITE") == b"+OK\r\n"
    start = time.monotonic()
    assert ctl.call("CLIENT", "PAUSE", "300", "ALL") == b"+OK\r\n"
    assert w.call("GET", "ek") == b"$1\r\n1\r\n"
    assert time.monotonic() - start >= 0.25
    assert info_field(ctl, "clients", "blocked_clients") == base
    ctl.close()
    w.close()


def test_kill_held_client(server):
    ctl, w = conn(server.port), conn(server.port)
    ctl.call("DEL", "hk")
    base = info_field(ctl, "clients", "blocked_clients")
    assert ctl.call("CLIENT", "PAUSE", "100000", "WRITE") == b"+OK\r\n"
    try:
        w.send("SET", "hk", "1")
        wait_blocked(ctl, base + 1)
        assert ctl.call("CLIENT", "KILL", "ID",
                        str(_id_of_blocked(ctl))) == b":1\r\n"
        assert w.closed_within(10)
        wait_blocked(ctl, base)
    finally:
        ctl.call("CLIENT", "UNPAUSE")
    assert ctl.call("EXISTS", "hk") == b":0\r\n"
    ctl.close()


REPLY_SCRIPT = [
    ("CLIENT", "REPLY"),
    ("CLIENT", "REPLY", "maybe"),
    ("CLIENT", "REPLY", "on", "x"),
    ("SET", "rk", "1"),
    ("CLIENT", "REPLY", "OFF"),
    ("SET", "rk", "2"),
    ("NOSUCHCOMMAND",),
    ("CLIENT", "REPLY", "SKIP"),  # ignored while OFF
    ("GET", "rk"),
    ("CLIENT", "REPLY", "On"),
    ("GET", "rk"),
    ("CLIENT", "REPLY", "SKIP"),
    ("INCR", "rk"),
    ("GET", "rk"),
    ("CLIENT", "REPLY", "SKIP"),
    ("NOSUCHCOMMAND",),
    ("GET", "rk"),
    ("CLIENT", "REPLY", "SKIP"),
    ("CLIENT", "REPLY", "SKIP"),
    ("GET", "rk"),
    ("GET", "rk"),
    ("CLIENT", "REPLY", "SKIP"),
    ("MULTI",),
    ("INCR", "rk"),
    ("EXEC",),
    ("CLIENT", "REPLY", "OFF"),
    ("CLIENT", "REPLY", "ON"),
    ("PING", "end"),
]


def reply_script(port, proto):
    c = conn(port, proto)
    c.call("DEL", "rk")
    for step in REPLY_SCRIPT:
        c.send(*step)
    out = []
    while not out or out[-1] not in (b"$3\r\nend\r\n",):
        out.append(c.reply())
    c.close()
    return out


@pytest.mark.parametrize("proto", [2, 3])
def test_client_reply(server, real_redis, proto):  # noqa: F811
    assert reply_script(server.port, proto) == \
        reply_script(real_redis.port, proto)


def test_client_reply_off_after_blocking(server, real_redis):  # noqa: F811
    def script(port):
        c, p = conn(port), conn(port)
        c.call("DEL", "bq")
        base = info_field(p, "clients", "blocked_clients")
        c.send("CLIENT", "REPLY", "SKIP")
        c.send("BLPOP", "bq", "0")
        wait_blocked(p, base + 1)
        p.call("RPUSH", "bq", "a")
        c.send("PING", "after")
        out = [c.reply()]
        assert p.call("LLEN", "bq") == b":0\r\n"
        c.close()
        p.close()
        return out
    assert script(server.port) == script(real_redis.port) == \
        [b"$5\r\nafter\r\n"]


def monitor_script(port):
    """What a monitor receives for another client's commands, timestamps
    and the client's port normalised."""
    m = conn(port)
    o = conn(port)
    o.call("FLUSHALL")
    oport = field_of(o, "addr").rsplit(":", 1)[1].encode()
    assert m.call("MONITOR") == b"+OK\r\n"
    # CLIENT LIST (an admin command: not shown) marks the monitor O.
    assert re.search(rb" flags=O .*cmd=monitor ", o.call("CLIENT", "LIST"))
    steps = [
        ("SET", "a", "x\n\"\x01\xc3\xa9\\\t\r"),
        ("AUTH", "pw"),
        ("HELLO", "3", "AUTH", "default", "pw", "SETNAME", "n"),
        ("HELLO", "2"),
        ("SELECT", "1"),
        ("MULTI",), ("SET", "b", "1"), ("INCR", "b"), ("EXEC",),
        ("EVAL", "redis.call('set','c','2') return 1", "0"),
        ("CLIENT", "LIST"), ("CLIENT", "ID"), ("CONFIG", "GET", "x"),
        ("NOSUCH",), ("GET",), ("FLUSHDB",), ("Get", "b"),
        ("MULTI",), ("MONITOR",), ("EXEC",),
    ]
    for s in steps:
        o.call(*s)
    o.call("PING", "end")
    lines = []
    while not lines or b'"end"' not in lines[-1]:
        lines.append(m.reply())
    out = []
    for line in lines:
        assert re.match(rb"^\+\d+\.\d{6} \[", line), line
        line = re.sub(rb"^\+\d+\.\d{6}", b"+T", line)
        out.append(line.replace(b":" + oport + b"]", b":P]"))
    # A second MONITOR answers nothing; the monitor sees its own commands.
    m.send("MONITOR")
    m.send("PING")
    assert m.reply() == b"+PONG\r\n"
    assert re.sub(rb"^\+\d+\.\d{6}", b"+T", m.reply()).endswith(b'"PING"\r\n')
    # RESET ends it: its own line is not sent, nor anything later.
    assert m.call("RESET") == b"+RESET\r\n"
    assert o.call("PING", "x") == b"$1\r\nx\r\n"
    assert m.call("PING") == b"+PONG\r\n"
    m.close()
    o.close()
    return out


def test_monitor_lines(server, real_redis):  # noqa: F811
    ours, theirs = monitor_script(server.port), \
        monitor_script(real_redis.port)
    assert ours == theirs


def test_monitor_that_does_not_read_is_disconnected(server):
    ctl = conn(server.port)
    ctl.call("CONFIG", "SET", "client-output-buffer-limit",
             "normal 1mb 0 0")
    try:
        m = conn(server.port)
        assert m.call("MONITOR") == b"+OK\r\n"
        before = info_field(ctl, "stats",
                            "client_output_buffer_limit_disconnections")
        big = "v" * 100000
        deadline = time.monotonic() + 30
        while info_field(ctl, "stats",
                         "client_output_buffer_limit_disconnections") == \
                before:
            assert time.monotonic() < deadline, "monitor never dropped"
            ctl.call("SET", "big", big)
        assert m.closed_within(10)
    finally:
        ctl.call("CONFIG", "SET", "client-output-buffer-limit",
                 "normal 0 0 0 slave 268435456 67108864 60 "
                 "pubsub 33554432 8388608 60")
        ctl.close()


class McConn:
    """A memcached text-protocol connection: send lines, read lines."""

    def __init__(self, port):
        import socket
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data)

    def line(self):
        while b"\r\n" not in self.buf:
            b = self.sock.recv(65536)
            if not b:
                raise ConnectionError("closed")
            self.buf += b
        i = self.buf.index(b"\r\n")
        out, self.buf = self.buf[:i], self.buf[i + 2:]
        return out

    def nothing_within(self, seconds):
        import socket
        if self.buf:
            return False
        self.sock.settimeout(seconds)
        try:
            b = self.sock.recv(65536)
        except socket.timeout:
            return True
        finally:
            self.sock.settimeout(10)
        self.buf += b
        return False


def test_pause_holds_memcached_writes(server):
    ctl = conn(server.port)
    ctl.call("DEL", "mck")
    mc, mr = McConn(server.mc_port), McConn(server.mc_port)
    assert ctl.call("CLIENT", "PAUSE", "100000", "WRITE") == b"+OK\r\n"
    try:
        # The write is held, with the read pipelined behind it; another
        # connection's reads go on.
        mc.send(b"set mck 0 0 1\r\nx\r\nget mck\r\n")
        mr.send(b"get mck\r\n")
        assert mr.line() == b"END"
        mr.send(b"mg mck v\r\n")
        assert mr.line() == b"EN"
        assert mc.nothing_within(0.1)
        assert ctl.call("EXISTS", "mck") == b":0\r\n"
    finally:
        assert ctl.call("CLIENT", "UNPAUSE") == b"+OK\r\n"
    assert mc.line() == b"STORED"
    assert mc.line() == b"VALUE mck 0 1"
    assert mc.line() == b"x"
    assert mc.line() == b"END"
    # ALL holds reads too, until the pause ends.
    start = time.monotonic()
    assert ctl.call("CLIENT", "PAUSE", "300", "ALL") == b"+OK\r\n"
    mr.send(b"get mck\r\n")
    assert mr.line() == b"VALUE mck 0 1"
    assert time.monotonic() - start >= 0.25
    ctl.close()


def http_status_lines(sock, n):
    """Reads n HTTP responses' status lines (bodies skipped by length)."""
    buf, out = b"", []
    while len(out) < n:
        while b"\r\n\r\n" not in buf:
            b = sock.recv(65536)
            if not b:
                raise ConnectionError("closed")
            buf += b
        head, buf = buf.split(b"\r\n\r\n", 1)
        length = 0
        for line in head.split(b"\r\n")[1:]:
            k, _, v = line.partition(b":")
            if k.strip().lower() == b"content-length":
                length = int(v.strip())
        while len(buf) < length:
            buf += sock.recv(65536)
        out.append((head.split(b"\r\n")[0], buf[:length]))
        buf = buf[length:]
    return out


def test_pause_holds_http_writes(server):
    import socket
    ctl = conn(server.port)
    ctl.call("DEL", "hk")
    w = socket.create_connection(("127.0.0.1", server.http_port), timeout=10)
    rd = socket.create_connection(("127.0.0.1", server.http_port), timeout=10)
    base = info_field(ctl, "clients", "blocked_clients")
    assert ctl.call("CLIENT", "PAUSE", "100000", "WRITE") == b"+OK\r\n"
    try:
        w.sendall(b"PUT /v1/kv/hk HTTP/1.1\r\nHost: x\r\nContent-Length: 1"
                  b"\r\n\r\nv"
                  b"GET /v1/kv/hk HTTP/1.1\r\nHost: x\r\n\r\n")
        rd.sendall(b"GET /v1/kv/hk HTTP/1.1\r\nHost: x\r\n\r\n")
        assert http_status_lines(rd, 1)[0][0].startswith(b"HTTP/1.1 404")
        assert ctl.call("EXISTS", "hk") == b":0\r\n"
        # HTTP connections are not RESP clients: not counted as blocked.
        assert info_field(ctl, "clients", "blocked_clients") == base
    finally:
        assert ctl.call("CLIENT", "UNPAUSE") == b"+OK\r\n"
    got = http_status_lines(w, 2)
    assert got[0][0] == b"HTTP/1.1 200 OK", got
    assert got[1] == (b"HTTP/1.1 200 OK", b"v"), got
    w.close()
    rd.close()
    ctl.close()
