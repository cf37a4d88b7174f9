"""Pub/sub, byte for byte against redis-server 7.0: each scenario runs on a
real redis-server and on shale-server, and every reply (confirmations,
messages, pushes, errors) must be the same bytes. Where Redis's order is
that of a hash table (UNSUBSCRIBE with no argument over several channels,
pmessages of several patterns, PUBSUB CHANNELS), both sides are sorted."""
import random
import subprocess
import time

import pytest

from conftest import wait_for
from real_redis import real_redis  # noqa: F401 (fixture)
from resp_raw import RawConn


@pytest.fixture(scope="module")
def real(real_redis):  # noqa: F811
    return real_redis


def unordered_confirmations(replies):
    """(Un)subscribe confirmations whose order is Redis's hash order: the
    names as a set, the counts in the order they came (they always count
    down or up the same way)."""
    names = sorted(r.split(b"\r\n")[4] for r in replies)
    counts = [r.split(b"\r\n")[5] for r in replies]
    return names, counts


def quiet(port):
    """Waits until the clients of earlier scenarios are gone (a server
    notices a closed connection asynchronously)."""
    c = RawConn(port)
    wait_for(lambda: c.call("PUBSUB", "NUMPAT") == b":0\r\n" and
             c.call("PUBSUB", "CHANNELS") == b"*0\r\n" and
             c.call("PUBSUB", "SHARDCHANNELS") == b"*0\r\n", 10,
             "no subscriptions left")
    c.close()


def same(real, server, scenario):
    quiet(real.port)
    theirs = scenario(real.port)
    quiet(server.port)
    ours = scenario(server.port)
    assert ours == theirs


def test_resp2_subscribe_publish_unsubscribe(real, server):
    def run(port):
        a, b = RawConn(port), RawConn(port)
        out = [a.call("SUBSCRIBE", "c1")]
        a.send("SUBSCRIBE", "c2", "c3")
        out += a.replies(2)
        for cmd in (("PING",), ("PING", "x"), ("GET", "x"), ("SET", "x", "y"),
                    ("PSUBSCRIBE", "p*"), ("PSUBSCRIBE", "p*")):
            out.append(a.call(*cmd))
        out.append(b.call("PUBLISH", "c1", "hello"))
        out.append(a.reply())
        out.append(b.call("PUBLISH", "pq", "hi\r\nthere"))
        out.append(a.reply())
        out.append(b.call("PUBLISH", "nobody", "x"))
        out.append(a.call("UNSUBSCRIBE", "c1", "zz"))
        out.append(a.reply())
        out.append(a.call("PUNSUBSCRIBE"))
        a.send("UNSUBSCRIBE")
        out.append(unordered_confirmations(a.replies(2)))
        out.append(a.call("UNSUBSCRIBE"))
        out.append(a.call("PUNSUBSCRIBE"))
        out.append(a.call("PING"))  # out of subscribed mode again
        out.append(a.call("GET", "x"))
        a.close()
        b.close()
        return out
    same(real, server, run)


def test_shard_channels(real, server):
    def run(port):
        a, b = RawConn(port), RawConn(port)
        out = [a.call("SSUBSCRIBE", "s1")]
        out.append(a.call("GET", "x"))
        out.append(a.call("PING"))
        out.append(a.call("SUBSCRIBE", "c"))  # counted apart from shards
        out.append(b.call("SPUBLISH", "s1", "m"))
        out.append(a.reply())
        out.append(b.call("PUBLISH", "s1", "not a shard message"))
        out.append(b.call("PUBSUB", "SHARDCHANNELS"))
        out.append(b.call("PUBSUB", "SHARDCHANNELS", "s*"))
        out.append(b.call("PUBSUB", "SHARDNUMSUB", "s1", "x"))
        out.append(b.call("PUBSUB", "CHANNELS"))
        out.append(a.call("SUNSUBSCRIBE"))
        out.append(a.call("SUNSUBSCRIBE"))
        out.append(a.call("UNSUBSCRIBE"))
        out.append(a.call("PING"))
        a.close()
        b.close()
        return out
    same(real, server, run)


def test_resp3_pushes(real, server):
    def run(port):
        a, b = RawConn(port), RawConn(port)
        a.call("HELLO", "3")  # the HELLO reply names the version: not compared
        out = [a.call("SUBSCRIBE", "c1")]
        # Our own message comes before the PUBLISH reply.
        a.send("PUBLISH", "c1", "self")
        out += a.replies(2)
        out.append(a.call("PING"))
        out.append(a.call("GET", "never-set"))
        out.append(a.call("UNSUBSCRIBE", "zz"))
        out.append(a.call("PSUBSCRIBE", "c*"))
        out.append(b.call("PUBLISH", "c1", "two"))
        out.append(sorted(a.replies(2)))
        a.send("UNSUBSCRIBE")
        out.append(a.reply())
        out.append(a.call("PUNSUBSCRIBE"))
        out.append(a.call("UNSUBSCRIBE"))
        out.append(a.call("SUNSUBSCRIBE"))
        out.append(a.call("RESET"))
        a.close()
        b.close()
        return out
    same(real, server, run)


def test_errors_and_introspection(real, server):
    def run(port):
        a, b, c = RawConn(port), RawConn(port), RawConn(port)
        out = []
        for cmd in (("SUBSCRIBE",), ("PUBLISH", "c1"), ("PUBSUB",),
                    ("PUBSUB", "foo"), ("PUBSUB", "NUMPAT", "x"),
                    ("PUBSUB", "help", "x"), ("PUBSUB", "channels", "a", "b"),
                    ("PUBSUB", "SHARDCHANNELS", "a", "b"), ("PUBSUB", "HELP"),
                    ("SPUBLISH", "a"), ("PSUBSCRIBE",), ("PUBSUB", "NUMSUB"),
                    ("PUBSUB", "NUMPAT"), ("PUBSUB", "CHANNELS")):
            out.append(a.call(*cmd))
        a.send("SUBSCRIBE", "news", "sport")
        a.replies(2)
        b.call("SUBSCRIBE", "news")
        c.send("PSUBSCRIBE", "n*", "s*")
        c.replies(2)
        b.call("PSUBSCRIBE", "n*")
        d = RawConn(port)
        out.append(d.call("PUBSUB", "NUMSUB", "news", "sport", "none"))
        out.append(d.call("PUBSUB", "NUMPAT"))
        ch = d.call("PUBSUB", "CHANNELS")
        out.append(sorted(ch.split(b"\r\n")))
        out.append(d.call("PUBSUB", "CHANNELS", "n*"))
        out.append(d.call("PUBLISH", "news", "x"))
        out.append(sorted(a.replies(1) + b.replies(2) + c.replies(1)))
        # Subscribed RESP2 clients: the rule's checks come after Redis's
        # unknown-command, arity and subcommand checks.
        for cmd in (("PUBSUB", "CHANNELS"), ("PUBSUB", "foo"),
                    ("PUBSUB", "NUMPAT", "x"), ("PING", "a", "b"),
                    ("nosuch", "a"), ("ECHO", "x"), ("SELECT", "0")):
            out.append(a.call(*cmd))
        out.append(a.call("RESET"))
        out.append(d.call("PUBSUB", "NUMSUB", "news"))
        out.append(a.call("GET", "x"))
        for conn in (b, c):
            conn.send("QUIT")
            out.append(conn.reply())
        out.append(d.call("PUBSUB", "NUMPAT"))
        for conn in (a, b, c, d):
            conn.close()
        return out
    same(real, server, run)


def test_pattern_matching_matches_redis(real, server):
    """Random patterns PSUBSCRIBEd, random channels PUBLISHed: the same
    receivers on both servers (glob semantics, quirks included)."""
    seed = random.randrange(1 << 30)
    print("seed", seed)
    alphabet = [b"a", b"b", b"*", b"?", b"[", b"]", b"^", b"-", b"\\",
                b"\xe9"]

    def word(rng, n):
        return b"".join(rng.choice(alphabet) for _ in range(n))

    def run(port):
        rng = random.Random(seed)
        sub, pub = RawConn(port), RawConn(port)
        patterns = {word(rng, rng.randrange(0, 6)) for _ in range(60)}
        for p in sorted(patterns):
            sub.call("PSUBSCRIBE", p)
        out = []
        for _ in range(300):
            ch = word(rng, rng.randrange(0, 6))
            n = pub.call("PUBLISH", ch, "m")
            got = sub.replies(int(n[1:-2]))
            out.append((ch, n, sorted(got)))
        sub.close()
        pub.close()
        return out
    same(real, server, run)


def test_redis_py_pubsub(server):
    r = server.redis(decode_responses=True)
    p = r.pubsub()
    p.subscribe("events")
    p.psubscribe("ev*")
    assert p.get_message(timeout=5)["type"] == "subscribe"
    assert p.get_message(timeout=5)["type"] == "psubscribe"
    assert r.publish("events", "one") == 2
    got = [p.get_message(timeout=5) for _ in range(2)]
    assert sorted(m["type"] for m in got) == ["message", "pmessage"]
    assert {m["data"] for m in got} == {"one"}
    # listen() in a thread-less loop: the next message.
    r.publish("events", "two")
    for m in p.listen():
        if m["type"] == "message":
            assert m["data"] == "two"
            break
    p.close()
    r.close()


def test_redis_cli_subscribe(server):
    proc = subprocess.Popen(["redis-cli", "-p", str(server.port), "subscribe",
                             "clich"], stdout=subprocess.PIPE)
    try:
        r = server.redis()
        wait_for(lambda: r.pubsub_numsub("clich")[0][1] == 1, 10,
                 "redis-cli to subscribe")
        assert r.publish("clich", "from-test") == 1
        lines = []
        deadline = time.monotonic() + 10
        while b"from-test" not in lines and time.monotonic() < deadline:
            lines.append(proc.stdout.readline().strip())
        assert lines[-3:] == [b"message", b"clich", b"from-test"]
    finally:
        proc.kill()
        proc.wait()
