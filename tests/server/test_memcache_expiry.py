"""memcached exptime exactly as memcached 1.6 (issue 25, item 6 / finding 9):
each exptime below goes through set, touch, gat and the meta T flag on
shale-server and on Debian's memcached, and the replies must match (TTLs
within 2 s). memcached reads exptime as a 64-bit signed number, rejects one
beyond that, and keeps the low 32 bits as a signed number: 2147483648 and
18446744073709551 are already expired, 4294967301 is 5 s; 0 never, negative
at once, above 30 days a Unix time."""
import re
import time

import pytest

from conftest import ShaleServer
from real_memcached import exchange, start_memcached, stop_memcached


@pytest.fixture(scope="module")
def memcached():
    proc, port = start_memcached()
    yield port
    stop_memcached(proc)


@pytest.fixture(scope="module")
def shale():
    s = ShaleServer().start()
    yield s
    s.cleanup()


def exptimes():
    now = int(time.time())
    return ["0", "1", "-1", "-0", "+5", "2592000", "2592001", str(now + 100),
            str(now - 100), "2147483647", "2147483648", "-2147483648",
            "-2147483649", "4294967295", "4294967296", "4294967301",
            "-4294967295", "18446744073709551", "18446744073709552",
            "9223372036854775807", "9223372036854775808",
            "-9223372036854775808", "-9223372036854775809", "5x", "0x10",
            "1e3", "-"]


def script(e):
    return [
        b"set k 0 %s 1\r\nx\r\n" % e, b"mg k t v\r\n",
        b"set k 0 0 1\r\nx\r\n", b"touch k %s\r\n" % e, b"mg k t\r\n",
        b"set k 0 0 1\r\nx\r\n", b"gat %s k\r\n" % e, b"mg k t\r\n",
        b"ms k 1 T%s\r\nx\r\n" % e, b"mg k t\r\n",
        b"set k 0 0 1\r\nx\r\n", b"mg k T%s t\r\n" % e, b"mg k t\r\n",
        b"delete k\r\n",
    ]


def same(got, want):
    """Replies equal, TTLs (t<n>) within 2 s of each other. An mg whose T
    flag expires the item reports it with t of 2^32 minus memcached's
    uptime (an unsigned underflow of its clock); shale says t0 there
    (docs/protocols.md), so such a TTL counts as 0."""
    ttl = re.compile(rb"t(-?\d+)")
    if ttl.sub(b"t#", got) != ttl.sub(b"t#", want):
        return False

    def secs(t):
        t = int(t)
        return 0 if t >= 2**31 else t
    return all(abs(secs(a) - secs(b)) <= 2 for a, b in
               zip(ttl.findall(got), ttl.findall(want)))


@pytest.mark.parametrize("e", exptimes())
def test_exptime_as_memcached(shale, memcached, e):
    req = b"".join(script(e.encode()))
    want = exchange(memcached, req)
    got = exchange(shale.mc_port, req)
    assert same(got, want), (req, got, want)


@pytest.mark.parametrize("flags", [
    "4294967295", "4294967296", "-1", "+5", "-0", "18446744073709551615",
    "18446744073709551616", "-18446744073709551615", "0x1", "1.0"])
def test_flags_as_memcached(shale, memcached, flags):
    req = b"set k %s 0 1\r\nx\r\nget k\r\ndelete k\r\n" % flags.encode()
    assert exchange(shale.mc_port, req) == exchange(memcached, req)


def test_overflowing_exptime_not_readable(shale):
    # The finding 9: this was STORED and readable, PTTL negative.
    got = exchange(shale.mc_port, b"set mA 0 18446744073709551 1\r\nx\r\n"
                   b"get mA\r\n")
    assert got == b"STORED\r\nEND\r\n"
