"""Writes dump_payloads.json: DUMP payloads of Debian's redis-server 7.0
for every type and encoding it writes (strings: int, embstr, raw, LZF,
empty, binary; lists: QUICKLIST_2 with packed and plain nodes, one and many
nodes; sets: INTSET and hashtable SET; hashes: HASH_LISTPACK and HASH;
sorted sets: ZSET_LISTPACK and ZSET_2; streams: STREAM_LISTPACKS_2, empty,
with deleted entries, many nodes, groups), plus the encodings it loads
but no longer writes, crafted by dump_codec.py. The compat family `dump` restores
them (and damaged copies) on both servers. Run once; the file is checked
in:

    /usr/bin/python3 tests/compat/make_dump_payloads.py
"""
import json
import pathlib
import shutil
import socket
import subprocess
import tempfile
import time

import dump_codec
from resp import Conn

HERE = pathlib.Path(__file__).resolve().parent


def call(conn, *args):
    """The reply to args: a bulk string's bytes, else its frame."""
    conn.send_command(args)
    f = conn.read()
    return f.value if f.kind == "$" else f


BUILD = [
    ("str_int", [("SET", "k", "12345")]),
    ("str_int_neg", [("SET", "k", "-2147483648")]),
    ("str_bigint", [("SET", "k", "9223372036854775807")]),
    ("str_embstr", [("SET", "k", "hello")]),
    ("str_empty", [("SET", "k", "")]),
    ("str_binary", [("SET", "k", bytes(range(256)))]),
    ("str_lzf", [("SET", "k", "abcdefgh" * 100)]),
    ("str_raw", [("SET", "k", bytes(range(97, 123)) * 3)]),
    ("list_small", [("RPUSH", "k", "a", "", "1", "-200", "70000",
                     "4294967296", "x" * 50)]),
    ("list_plain", [("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "60"),
                    ("RPUSH", "k", "a", "y" * 100, "b", "z" * 61),
                    ("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1073741824")]),
    ("list_nodes", [("RPUSH", "k") + tuple("e%d" % i for i in range(3000))]),
    ("set_intset", [("SADD", "k", "1", "-5", "70000", "4294967296")]),
    ("set_hashtable", [("SADD", "k", "a", "b", "7", "")]),
    ("set_big", [("SADD", "k") + tuple("m%d" % i for i in range(600))]),
    ("hash_listpack", [("HSET", "k", "f", "v", "n", "12", "", "empty",
                        "neg", "-70000")]),
    ("hash_hashtable", [("HSET", "k", "f", "v" * 100, "g", "1")]),
    ("hash_big", [("HSET", "k") + tuple(x for i in range(600)
                                        for x in ("f%d" % i, "v%d" % i))]),
    ("zset_listpack", [("ZADD", "k", "1.5", "a", "-2", "b", "0", "c",
                        "inf", "d", "3", "e")]),
    ("zset_skiplist", [("ZADD", "k", "1", "m" * 80, "-inf", "n", "2.5",
                        "o")]),
    ("zset_big", [("ZADD", "k") + tuple(x for i in range(300)
                                        for x in (str(i / 4), "m%d" % i))]),
    ("stream_empty", [("XADD", "k", "3-3", "a", "1"), ("XDEL", "k", "3-3")]),
    ("stream_setid", [("XGROUP", "CREATE", "k", "g", "$", "MKSTREAM"),
                      ("XSETID", "k", "9-9", "ENTRIESADDED", "5",
                       "MAXDELETEDID", "4-0")]),
    ("stream_fields", [("XADD", "k", "1-1", "a", "1", "b", "2"),
                       ("XADD", "k", "1-2", "b", "-70000", "a", "x" * 30),
                       ("XADD", "k", "2-0", "a", "3", "b", "4"),
                       ("XADD", "k", "5-0", "c", ""),
                       ("XDEL", "k", "2-0")]),
    ("stream_nodes", [("XADD", "k", "%d-0" % (i + 1), "f", str(i), "v",
                       "w" * (i % 40)) for i in range(250)] +
                     [("XDEL", "k", "%d-0" % i) for i in range(1, 250, 9)]),
    ("stream_groups", [("XADD", "k", "%d-0" % i, "f", str(i))
                       for i in range(1, 9)] +
                      [("XGROUP", "CREATE", "k", "g", "0"),
                       ("XGROUP", "CREATE", "k", "h", "$"),
                       ("XREADGROUP", "GROUP", "g", "alice", "COUNT", "3",
                        "STREAMS", "k", ">"),
                       ("XREADGROUP", "GROUP", "g", "bob", "COUNT", "2",
                        "STREAMS", "k", ">"),
                       ("XACK", "k", "g", "2-0"),
                       ("XCLAIM", "k", "g", "carol", "0", "1-0"),
                       ("XGROUP", "CREATECONSUMER", "k", "g", "dave"),
                       ("XDEL", "k", "7-0")]),
]

CRAFTED = [
    ("old_list", "list", [b"a", b"12", b"x" * 30]),
    ("old_set", "set", [b"1", b"a"]),
    ("old_zset", "zset", [(b"a", 1.5), (b"b", float("inf"))]),
    ("old_hash", "hash", [(b"f", b"v"), (b"g", b"")]),
    ("zipmap", "hash_zipmap", [(b"f", b"v"), (b"k" * 300, b"w")]),
    ("list_ziplist", "list_ziplist", [b"a", b"0", b"13", b"-1", b"200",
                                      b"-40000", b"9000000", b"3000000000",
                                      b"x" * 300]),
    ("zset_ziplist", "zset_ziplist", [(b"a", 1.0), (b"b", 2.5)]),
    ("hash_ziplist", "hash_ziplist", [(b"f", b"1"), (b"g", b"w" * 100)]),
    ("list_quicklist", "list_quicklist", [b"%d" % i for i in range(8)]),
]

# STREAM_LISTPACKS (type 15, Redis 5 and 6): Redis 7.0 loads it, writes 19.
_F = [(b"a", b"1")]
STREAM_15 = [
    ("stream_type15", dump_codec.stream_payload(
        [dump_codec.stream_node((1, 0), [((1, 0), _F, False),
                                         ((2, 0), _F, False),
                                         ((3, 0), _F, True)])],
        2, (3, 0), kind=15,
        groups=[(b"g", (1, 0), None, [((1, 0), 5, 2)],
                 [(b"c", 6, [(1, 0)])])])),
]


def main():
    d = tempfile.mkdtemp()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    p = subprocess.Popen(["redis-server", "--port", str(port), "--bind",
                          "127.0.0.1", "--dir", d, "--save", "",
                          "--enable-debug-command", "yes"],
                         stdout=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                sock = Conn(port)
                break
            except OSError:
                time.sleep(0.05)
        out = {}
        for name, steps in BUILD:
            call(sock, "DEL", "k")
            for step in steps:
                call(sock, *step)
            out[name] = call(sock, "DUMP", "k").hex()
        for name, kind, value in CRAFTED:
            out[name] = dump_codec.payload(kind, value).hex()
        for name, payload in STREAM_15:
            out[name] = payload.hex()
        (HERE / "dump_payloads.json").write_text(
            json.dumps(out, indent=1, sort_keys=True) + "\n")
    finally:
        p.terminate()
        p.wait()
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
