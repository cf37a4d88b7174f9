"""memcached text protocol: pymemcache, libmemcached's tools (memccapable,
memccp, memccat) and raw meta commands."""
import os
import re
import subprocess
import time

import pytest
from pymemcache.client.base import Client

from conftest import raw_command


@pytest.fixture
def mc(server):
    c = Client(("127.0.0.1", server.mc_port), timeout=10, default_noreply=False)
    c.flush_all()
    yield c
    c.close()


def mc_raw(server, data, until):
    reply, _ = raw_command(server.mc_port, data, until=until)
    return reply


def ends(*suffixes):
    return lambda b: any(b.endswith(s) for s in suffixes)


def test_memccapable_ascii(server):
    out = subprocess.run(
        ["memccapable", "-a", "-h", "127.0.0.1", "-p", str(server.mc_port),
         "-t", "10"], capture_output=True, text=True, timeout=120)
    assert "All tests passed" in out.stdout, out.stdout + out.stderr


def test_memccp_memccat(server, tmp_path):
    f = tmp_path / "blob.bin"
    data = os.urandom(100000)
    f.write_bytes(data)
    servers = "--servers=127.0.0.1:%d" % server.mc_port
    subprocess.run(["memccp", servers, str(f)], check=True, timeout=30)
    out = subprocess.run(["memccat", servers, "blob.bin"], check=True,
                         capture_output=True, timeout=30)
    # memccat ends what it prints with a newline.
    assert out.stdout in (data, data + b"\n")


def test_memaslap_reaches_its_get_mix(server):
    """memaslap (Debian's memcaslap) runs its 1 set : 9 gets mix. Its keys
    begin with 8 binary bytes; when the front end refused control bytes in
    keys, every set failed and memaslap, which only reads keys it has set,
    never left its set phase (0 gets)."""
    out = subprocess.run(
        ["memcaslap", "-s", "127.0.0.1:%d" % server.mc_port, "-T", "1",
         "-c", "4", "-x", "4000", "-X", "100"],
        capture_output=True, text=True, timeout=120)
    log = out.stdout + out.stderr
    assert "CLIENT_ERROR" not in log and "didn't set" not in log, log[-2000:]
    counts = {}
    for name in ("cmd_get", "cmd_set", "get_misses"):
        m = re.search(name + r": *(\d+)", out.stdout)
        assert m, log[-2000:]
        counts[name] = int(m.group(1))
    assert counts["cmd_get"] + counts["cmd_set"] == 4000, counts
    assert counts["cmd_get"] >= 3000, counts  # the 9:1 mix, not all sets
    assert counts["get_misses"] == 0, counts  # every set key reads back


def test_control_bytes_in_keys(server):
    """Keys are the bytes between spaces, as in memcached: control bytes and
    tabs are part of a key; NUL is refused."""
    key = b"\x10\x10\x01\x7fa\tb"
    assert mc_raw(server, b"set " + key + b" 5 0 1\r\nx\r\n",
                  ends(b"\r\n")) == b"STORED\r\n"
    assert mc_raw(server, b"get " + key + b"\r\n", ends(b"END\r\n")) == \
        b"VALUE " + key + b" 5 1\r\nx\r\nEND\r\n"
    assert mc_raw(server, b"get a\x00b\r\n", ends(b"\r\n")) == \
        b"CLIENT_ERROR bad command line format\r\n"


def test_set_get_flags(server, mc):
    assert mc.set("k", b"v", flags=42) is True
    assert mc.get("k") == b"v"
    raw = mc_raw(server, b"get k\r\n", ends(b"END\r\n"))
    assert raw.startswith(b"VALUE k 42 1")
    assert mc.get("missing") is None
    assert mc.get_many(["k", "missing"]) == {"k": b"v"}


def test_multi_key_get_keeps_key_order_and_repeats(server, mc):
    # get with many keys reads them in one batch (Keyspace::MultiGet); the
    # VALUE lines still follow the request's order, repeats included.
    assert mc.set("b", b"2", flags=7) is True
    assert mc.set("a", b"1") is True
    raw = mc_raw(server, b"gets b missing a b\r\n", ends(b"END\r\n"))
    lines = raw.split(b"\r\n")
    assert [ln.split()[:4] for ln in lines[0::2][:3]] == [
        [b"VALUE", b"b", b"7", b"1"], [b"VALUE", b"a", b"0", b"1"],
        [b"VALUE", b"b", b"7", b"1"]]
    assert lines[1::2][:3] == [b"2", b"1", b"2"]
    assert lines[0].split()[4] == lines[4].split()[4]  # the same cas
    assert raw.endswith(b"END\r\n")


def test_add_replace_append_prepend(mc):
    assert mc.add("k", b"1", noreply=False) is True
    assert mc.add("k", b"2", noreply=False) is False
    assert mc.replace("x", b"1", noreply=False) is False
    assert mc.replace("k", b"3", noreply=False) is True
    assert mc.append("k", b"4", noreply=False) is True
    assert mc.prepend("k", b"2", noreply=False) is True
    assert mc.get("k") == b"234"
    assert mc.append("missing", b"x", noreply=False) is False


def test_cas(mc):
    mc.set("k", b"v")
    v, token = mc.gets("k")
    assert v == b"v"
    assert mc.cas("k", b"w", token, noreply=False) is True
    assert mc.cas("k", b"x", token, noreply=False) is False
    assert mc.get("k") == b"w"
    assert mc.cas("missing", b"x", token, noreply=False) is None


def test_delete_incr_decr(mc):
    mc.set("n", b"10")
    assert mc.incr("n", 5) == 15
    assert mc.decr("n", 20) == 0
    assert mc.incr("missing", 1) is None
    mc.set("n", b"18446744073709551615")
    assert mc.incr("n", 2) == 1  # wraps at 2^64
    mc.set("s", b"abc")
    with pytest.raises(Exception) as e:
        mc.incr("s", 1)
    assert "non-numeric" in str(e.value)
    assert mc.delete("n", noreply=False) is True
    assert mc.delete("n", noreply=False) is False


def test_touch_and_expiry(mc):
    mc.set("k", b"v", expire=100)
    assert mc.touch("k", 1, noreply=False) is True
    assert mc.touch("missing", 1, noreply=False) is False
    mc.set("gone", b"v", expire=-1)
    assert mc.get("gone") is None
    deadline = time.monotonic() + 5
    while mc.get("k") is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert mc.get("k") is None


def test_gat_gats(server, mc):
    mc.set("k", b"v")
    r = mc_raw(server, b"gat 100 k\r\n", ends(b"END\r\n"))
    assert r == b"VALUE k 0 1\r\nv\r\nEND\r\n"
    r = mc_raw(server, b"gats 100 k\r\n", ends(b"END\r\n"))
    assert r.startswith(b"VALUE k 0 1 ")


def test_key_limit(server, mc):
    k = b"k" * 250
    assert mc_raw(server, b"set " + k + b" 0 0 1\r\nx\r\n",
                  ends(b"\r\n")) == b"STORED\r\n"
    r = mc_raw(server, b"get " + k + b"k\r\n", ends(b"\r\n"))
    assert r == b"CLIENT_ERROR bad command line format\r\n"


def test_errors(server):
    cases = [
        (b"bogus\r\n", b"ERROR\r\n"),
        (b"set a b 0 1\r\nx\r\n", b"CLIENT_ERROR bad command line format\r\n"
                                  b"ERROR\r\n"),
        (b"set a 0 0 -1\r\n", b"CLIENT_ERROR bad command line format\r\n"),
        (b"set a 0 0 1\r\nxyz\r\n", b"CLIENT_ERROR bad data chunk\r\n"
                                    b"ERROR\r\n"),
        (b"incr a b\r\n", b"CLIENT_ERROR invalid numeric delta argument\r\n"),
        (b"delete a 1\r\n", b"CLIENT_ERROR bad command line format.  Usage: "
                            b"delete <key> [noreply]\r\n"),
        (b"flush_all abc\r\n",
         b"CLIENT_ERROR invalid exptime argument\r\n"),
    ]
    for req, want in cases:
        assert mc_raw(server, req, lambda b, w=want: len(b) >= len(w)) == \
            want, req


def test_too_large_is_swallowed(server):
    big = 600 << 20  # > max-value-bytes (512 MiB): rejected up front
    r = mc_raw(server, b"set big 0 0 %d\r\n" % big, ends(b"\r\n"))
    assert r == b"SERVER_ERROR object too large for cache\r\n"


def test_version_stats_verbosity(server):
    assert mc_raw(server, b"version\r\n", ends(b"\r\n")).startswith(b"VERSION ")
    r = mc_raw(server, b"stats\r\n", ends(b"END\r\n"))
    assert b"STAT pid " in r and b"STAT curr_connections " in r
    assert mc_raw(server, b"verbosity 1\r\n", ends(b"\r\n")) == b"OK\r\n"
    assert mc_raw(server, b"stats foo\r\n", ends(b"\r\n")) == b"ERROR\r\n"


def test_quit_closes(server):
    r, closed = raw_command(server.mc_port, b"quit\r\n")
    assert closed and r == b""


def test_meta_commands(server, mc):
    def q(req, until=ends(b"\r\n")):
        return mc_raw(server, req, until)
    assert q(b"mg missing v\r\n") == b"EN\r\n"
    assert q(b"ms kk 2 T0 F5\r\nhi\r\n") == b"HD\r\n"
    r = q(b"mg kk v f t k s O123\r\n", ends(b"hi\r\n"))
    assert r == b"VA 2 f5 t-1 kkk s2 O123\r\nhi\r\n"
    assert q(b"mg kk\r\n") == b"HD\r\n"
    r = q(b"mg kk c\r\n")
    assert r.startswith(b"HD c")
    cas = int(r.split()[1][1:])
    assert q(b"ms kk 2 C%d q\r\nyo\r\n" % (cas + 1)) == b"EX\r\n"
    assert q(b"ms kk 2 C%d\r\nyo\r\n" % cas) == b"HD\r\n"
    assert q(b"ms kk 2 ME\r\nno\r\n") == b"NS\r\n"
    assert q(b"ms kk 1 MA\r\n!\r\n") == b"HD\r\n"
    assert mc.get("kk") == b"yo!"
    assert q(b"ms kk 2 MX\r\nhi\r\n") == \
        b"CLIENT_ERROR invalid mode for ms M token\r\n"
    assert q(b"mg kk zz\r\n") == b"CLIENT_ERROR invalid flag\r\n"
    assert q(b"ma kk\r\n") == \
        b"CLIENT_ERROR cannot increment or decrement non-numeric value\r\n"
    assert q(b"ms n 1\r\n5\r\n") == b"HD\r\n"
    assert q(b"ma n v D10\r\n", ends(b"15\r\n")) == b"VA 2\r\n15\r\n"
    assert q(b"ma n MD D100 v\r\n", ends(b"0\r\n")) == b"VA 1\r\n0\r\n"
    assert q(b"ma missing\r\n") == b"NF\r\n"
    assert q(b"ma viv N0 J7 v\r\n", ends(b"7\r\n")) == b"VA 1\r\n7\r\n"
    assert q(b"md n\r\n") == b"HD\r\n"
    assert q(b"md n\r\n") == b"NF\r\n"
    assert q(b"md n q\r\nmn\r\n") == b"MN\r\n"
    assert q(b"ms YmluYXJ5 2 b\r\nhi\r\n") == b"HD\r\n"
    assert q(b"mg YmluYXJ5 b k v\r\n", ends(b"hi\r\n")) == \
        b"VA 2 kYmluYXJ5 b\r\nhi\r\n"
    assert mc.get("binary") == b"hi"
    assert q(b"mn\r\n") == b"MN\r\n"
    assert q(b"ms tt 1 T100\r\nx\r\n") == b"HD\r\n"
    r = q(b"mg tt t\r\n")
    assert r in (b"HD t100\r\n", b"HD t99\r\n")
