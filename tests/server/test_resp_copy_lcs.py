"""COPY (strings and hashes, across databases) and LCS, byte for byte
against redis-server 7.0 (real_redis.py), in RESP2 and RESP3, with their
keyspace events."""
import pytest

from real_redis import compare_script, fresh_raw
from real_redis import real_redis  # noqa: F401 (fixture)
from test_resp_bits import events

COPY_SCRIPT = [
    ("SET", "s", "v1", "EX", "1000"),
    ("COPY", "s", "t"),
    ("GET", "t"),
    ("TTL", "t"),
    ("COPY", "s", "t"),
    ("SET", "s", "v2"),
    ("COPY", "s", "t", "REPLACE"),
    ("GET", "t"),
    ("TTL", "t"),
    ("COPY", "s", "s"),
    ("COPY", "s", "s", "DB", "0"),
    ("COPY", "s", "s", "DB", "1"),
    ("COPY", "s", "s", "DB", "1"),
    ("COPY", "s", "s", "db", "1", "replace"),
    ("COPY", "nokey", "x"),
    ("COPY", "nokey", "nokey"),
    ("COPY", "s", "u", "DB", "16"),
    ("COPY", "s", "u", "DB", "-1"),
    ("COPY", "s", "u", "DB", "x"),
    ("COPY", "s", "u", "DB", "99999999999"),
    ("COPY", "s", "u", "DB"),
    ("COPY", "s", "u", "FOO"),
    ("COPY", "s", "u", "REPLACE", "REPLACE", "DB", "2", "DB", "3"),
    ("COPY", "s", "u", "DB", "x", "FOO"),
    ("COPY", "s"),
    ("HSET", "h", "a", "1", "b", "2"),
    ("PEXPIRE", "h", "500000"),
    ("COPY", "h", "h2"),
    ("HGETALL", "h2"),
    ("TYPE", "h2"),
    ("TTL", "h2"),
    ("HSET", "h", "c", "3"),
    ("HLEN", "h2"),
    ("COPY", "h", "s", "REPLACE"),
    ("TYPE", "s"),
    ("HGETALL", "s"),
    ("COPY", "t", "h2", "REPLACE"),
    ("TYPE", "h2"),
    ("GET", "h2"),
    ("HGET", "h2", "a"),
    ("COPY", "h", "h", "DB", "2"),
    ("SELECT", "2"),
    ("HGETALL", "h"),
    ("GET", "u"),
    ("COPY", "h", "h", "DB", "0", "REPLACE"),
    ("SELECT", "0"),
    ("HGETALL", "h"),
    ("DBSIZE",),
]

LCS_SCRIPT = [
    ("SET", "a", "ohmytext"),
    ("SET", "b", "mynewtext"),
    ("LCS", "a", "b"),
    ("LCS", "a", "b", "LEN"),
    ("LCS", "a", "b", "IDX"),
    ("LCS", "a", "b", "IDX", "MINMATCHLEN", "4"),
    ("LCS", "a", "b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"),
    ("LCS", "a", "b", "IDX", "WITHMATCHLEN"),
    ("LCS", "a", "b", "IDX", "MINMATCHLEN", "-3"),
    ("LCS", "a", "b", "IDX", "MINMATCHLEN", "x"),
    ("LCS", "a", "b", "IDX", "MINMATCHLEN"),
    ("LCS", "a", "b", "IDX", "LEN"),
    ("LCS", "a", "b", "LEN", "FOO"),
    ("LCS", "a", "b", "WITHMATCHLEN"),
    ("LCS", "a", "b", "MINMATCHLEN", "2"),
    ("LCS", "a", "nokey"),
    ("LCS", "nokey", "nokey", "IDX"),
    ("LCS", "nokey", "nokey", "LEN"),
    ("LCS", "a", "a", "IDX", "WITHMATCHLEN"),
    ("SET", "c", "ABCBDAB"),
    ("SET", "d", "BDCABA"),
    ("LCS", "c", "d"),
    ("LCS", "c", "d", "IDX", "WITHMATCHLEN"),
    ("LCS", "d", "c", "IDX"),
    ("SET", "e", ""),
    ("LCS", "e", "c", "IDX"),
    ("SET", "n", "12345"),
    ("LCS", "n", "c"),
    ("SET", "bin", "a\x00b\r\nc"),
    ("LCS", "bin", "c", "IDX"),
    ("HSET", "h", "f", "v"),
    ("LCS", "a", "h"),
    ("LCS", "h", "nokey", "LEN"),
    ("LCS", "h", "a", "FOO"),
    ("SET", "big1", "x" * 12000),
    ("SET", "big2", "y" * 12000),
    ("LCS", "big1", "big2", "LEN"),
    ("CONFIG", "SET", "proto-max-bulk-len", "1mb"),
    ("SET", "big1", "x" * 600),
    ("SET", "big2", "x" * 600),
    ("LCS", "big1", "big2", "LEN"),
    ("CONFIG", "SET", "proto-max-bulk-len", "512mb"),
]


@pytest.mark.parametrize("proto", [2, 3])
@pytest.mark.parametrize("script", ["copy", "lcs"])
def test_copy_and_lcs_match_redis(server, real_redis, proto,  # noqa: F811
                                  script):
    script = COPY_SCRIPT if script == "copy" else LCS_SCRIPT
    ours, theirs = fresh_raw(server.port, proto), fresh_raw(real_redis.port,
                                                             proto)
    bad = compare_script(ours, theirs, script)
    assert not bad, "\n".join("%r: shale %r, redis %r" % x for x in bad)


@pytest.mark.parametrize("script", ["copy", "lcs"])
def test_copy_and_lcs_in_multi_match_redis(server, real_redis,  # noqa: F811
                                           script):
    script = COPY_SCRIPT if script == "copy" else LCS_SCRIPT
    script = [("MULTI",)] + [s for s in script if s[0] != "CONFIG"] + \
        [("EXEC",)]
    ours, theirs = fresh_raw(server.port, 3), fresh_raw(real_redis.port, 3)
    bad = compare_script(ours, theirs, script)
    assert not bad, "\n".join("%r: shale %r, redis %r" % x for x in bad)


def test_copy_events_match_redis(server, real_redis):  # noqa: F811
    script = [("SET", "s", "1"), ("COPY", "s", "t"), ("COPY", "s", "t"),
              ("COPY", "s", "t", "REPLACE"), ("COPY", "nokey", "t"),
              ("HSET", "h", "a", "1"), ("COPY", "h", "t", "REPLACE"),
              ("COPY", "s", "s", "DB", "3"), ("LCS", "s", "nokey")]
    assert events(server.port, script) == events(real_redis.port, script)
