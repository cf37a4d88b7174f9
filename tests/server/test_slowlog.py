"""SLOWLOG against redis-server 7.0: the same command sequence on both
servers with slowlog-log-slower-than 0 (every command logged), and the
entries must match: arguments (redacted, cut at 32 arguments and 128 bytes
as Redis cuts them), client names, id order, and every SLOWLOG reply and
error. Times and durations differ by nature and are only checked for
shape."""
import pytest

from real_redis import real_redis, reply_of  # noqa: F401 (fixture)


@pytest.fixture(scope="module")
def real(real_redis):  # noqa: F811
    return real_redis


SEQUENCE = [
    ("CLIENT", "SETNAME", "slowpoke"),
    ("SET", "k", "v"), ("GET", "k"), ("GET", "nosuch"),
    ("SET", "big", "x" * 200),
    ("MSET",) + tuple(str(i) for i in range(40)),
    ("AUTH", "nopass"), ("AUTH", "user", "secret"),
    ("HELLO", "2", "AUTH", "default", "wrong", "SETNAME", "n"),
    ("CONFIG", "SET", "masterauth", "hush", "maxclients", "1000"),
    ("CONFIG", "SET", "masteruser", "who"),
    ("MULTI",), ("SET", "a", "1"), ("INCR", "a"), ("EXEC",),
    ("INCR", "k"),
    ("CLIENT", "SETNAME", ""), ("PING",),
]


def entries(client):
    """SLOWLOG GET -1 as comparable data: (args, name) per entry, after
    checking the ids count down by one and the other fields' shape."""
    got = reply_of(client, "SLOWLOG", "GET", "-1")
    ids = [e[0] for e in got]
    assert ids == list(range(ids[0], ids[0] - len(ids), -1)) if ids else True
    out = []
    for e in got:
        assert len(e) == 6
        assert isinstance(e[1], int) and e[1] > 1_600_000_000
        assert isinstance(e[2], int) and e[2] >= 0
        assert e[4].startswith(b"127.0.0.1:")
        out.append((e[3], e[5]))
    return out


def run(client):
    out = [reply_of(client, "SLOWLOG", "RESET"),
           reply_of(client, "CONFIG", "SET", "slowlog-log-slower-than", "0")]
    for c in SEQUENCE:
        r = reply_of(client, *c)
        # HELLO's map names the server's version and the client's id.
        out.append(type(r) if c[0] == "HELLO" else r)
    out.append(entries(client))
    out.append(reply_of(client, "SLOWLOG", "LEN"))
    out.append([e[0] for e in reply_of(client, "SLOWLOG", "GET")][:1])
    for bad in (("SLOWLOG", "GET", "-2"), ("SLOWLOG", "GET", "x"),
                ("SLOWLOG", "GET", "1", "2"), ("SLOWLOG", "LEN", "x"),
                ("SLOWLOG", "RESET", "x"), ("SLOWLOG", "NOPE"),
                ("SLOWLOG",), ("SLOWLOG", "HELP"), ("SLOWLOG", "help", "x")):
        out.append(reply_of(client, *bad))
    out.append(len(reply_of(client, "SLOWLOG", "GET", "0")))
    out.append(len(reply_of(client, "SLOWLOG", "GET", "3")))
    # A lowered max-len applies at the next entry (this CONFIG SET).
    out.append(reply_of(client, "CONFIG", "SET", "slowlog-max-len", "3"))
    out.append(reply_of(client, "SLOWLOG", "LEN"))
    # Negative: nothing is logged.
    out.append(reply_of(client, "SLOWLOG", "RESET"))
    out.append(reply_of(client, "CONFIG", "SET", "slowlog-log-slower-than",
                        "-1"))
    out.append(reply_of(client, "SET", "x", "y"))
    out.append(reply_of(client, "SLOWLOG", "LEN"))
    # A high threshold: fast commands are not logged.
    out.append(reply_of(client, "CONFIG", "SET", "slowlog-log-slower-than",
                        "10000000"))
    out.append(reply_of(client, "GET", "x"))
    out.append(reply_of(client, "SLOWLOG", "LEN"))
    reply_of(client, "CONFIG", "SET", "slowlog-log-slower-than", "10000",
             "slowlog-max-len", "128", "masterauth", "", "masteruser", "")
    return out


def test_slowlog_matches_redis(real, server):
    theirs = run(real.redis(single_connection_client=True))
    ours = run(server.redis(single_connection_client=True))
    assert ours == theirs
    logged = theirs[2 + len(SEQUENCE)]
    assert [b"(redacted)"] * 2 in [a[1:] for a, _ in logged]
    assert len(logged) > 15
