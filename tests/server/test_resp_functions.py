"""Redis 7.0 functions (FUNCTION LOAD|LIST|DELETE|FLUSH|DUMP|RESTORE|STATS|
KILL|HELP, FCALL, FCALL_RO) byte for byte against redis-server 7.0
(real_redis.py), in RESP2 and RESP3: the shebang, redis.register_function
in both forms, the load-time sandbox, errors at load and at run time,
flags and read-only calls, DUMP/RESTORE payloads both ways and bad ones;
then what only shale can show: every I/O thread sees a change at once,
atomicity, FUNCTION KILL and STATS from another thread, libraries across a
restart."""
import random
import threading

import pytest

from conftest import ShaleServer, wait_for
from real_redis import compare_script, real_redis  # noqa: F401


def lib(name, *functions, shebang=None):
    """A library's code: each function is (name, body) registered
    positionally, or a str of Lua put as is."""
    lines = [shebang or "#!lua name=%s" % name]
    for f in functions:
        if isinstance(f, str):
            lines.append(f)
        else:
            lines.append("redis.register_function('%s', function(keys, args) "
                         "%s end)" % f)
    return "\n".join(lines)


def load(code, replace=False):
    return ("FUNCTION", "LOAD") + (("REPLACE",) if replace else ()) + (code,)


def fcall(name, *keys_then_args, nkeys=None, ro=False):
    n = len(keys_then_args) if nkeys is None else nkeys
    return ("FCALL_RO" if ro else "FCALL", name, str(n)) + tuple(keys_then_args)


def named(fields):
    """redis.register_function{...} with fields (Lua source) as given."""
    return "redis.register_function{%s}" % fields


# Listings of several libraries: Redis's order is its dictionary's (random
# per process), shale's is by name; compared as sorted lines.
LIST_ALL = ("FUNCTION", "LIST", "LIBRARYNAME", "*")


CB = "callback=function(keys, args) return 1 end"

LOAD = [
    # The shebang.
    load("return 1"),
    load("#!lua"),
    load("#!lua\n"),
    load("#!lu name=x\n"),
    load("#!  name=x\n"),
    load("#!lua name=x-y\n"),
    load("#!lua name=\n"),
    load("#!lua name=a name=b\n"),
    load("#!lua foo=a\n"),
    load('#!lua name="a b"\n'),
    load('#!lua name="unbalanced\n'),
    load("#!lua name='q'x\n"),
    load("#!lua\0 name=x\n"),
    load("#!lua name=e\n"),
    load("#!lua name=e \n"),
    load("#!lua   name=e\r\nlocal x = 1"),
    load(lib("up", ("fup", "return 1"), shebang="#!LUA NAME=up")),
    load(lib("q", ("fq", "return 2"), shebang="#!lua name=\"q\"")),
    load(lib("up", ("fup2", "return 1"), shebang="#!lua name=up")),
    load(lib("ul", ("fup", "return 1"))),
    # Compile and registration errors.
    load("#!lua name=c\nreturn +"),
    load("#!lua name=c\n\n\nlocal x = = 1"),
    load("#!lua name=c\nredis.call('ping')"),
    load("#!lua name=c\nlocal x = string.len('a')"),
    load("#!lua name=c\nerror('boom')"),
    load("#!lua name=c\nx = 1"),
    load("#!lua name=c\nlocal t = redis.setresp"),
    load("#!lua name=c\nlocal t = nil + 1"),
    load("#!lua name=c\nredis.log(redis.LOG_WARNING)"),
    load("#!lua name=c\nreturn 5"),
    load("#!lua name=c\n" + named("function_name='a', " + CB +
                                  ", flags={'bad'}")),
    load("#!lua name=c\n" + named("function_name='a', " + CB +
                                  ", flags='no-writes'")),
    load("#!lua name=c\n" + named("function_name='a', " + CB +
                                  ", flags={{}}")),
    load("#!lua name=c\n" + named("function_name='a', " + CB + ", foo=1")),
    load("#!lua name=c\n" + named(CB)),
    load("#!lua name=c\n" + named("function_name='a'")),
    load("#!lua name=c\n" + named("function_name={}, callback=5")),
    load("#!lua name=c\n" + named("function_name='a', callback=5")),
    load("#!lua name=c\n" + named("function_name={}, " + CB)),
    load("#!lua name=c\n" + named("function_name='a', description={}, " +
                                  CB)),
    load("#!lua name=c\n" + named("[1]=2")),
    load("#!lua name=c\nredis.register_function('a')"),
    load("#!lua name=c\nredis.register_function('a', 1)"),
    load("#!lua name=c\nredis.register_function({}, 1)"),
    load("#!lua name=c\nredis.register_function()"),
    load("#!lua name=c\nredis.register_function('a', function() end, 3)"),
    load("#!lua name=c\nredis.register_function(5)"),
    load("#!lua name=c\nredis.register_function('a-b', function() end)"),
    load("#!lua name=c\nredis.register_function('', function() end)"),
    load("#!lua name=c\nredis.register_function('d', function() end)\n"
         "redis.register_function('d', function() end)"),
    load("#!lua name=c\nlocal f = redis.register_function\n"
         "f('ok1', function() end)\nreturn f"),
    # Names and flags that load (numbers are strings to Redis).
    load("#!lua name=n1\nredis.register_function(12, function() return 12 "
         "end)"),
    load("#!lua name=n2\n" + named("function_name='n2f', " + CB +
                                   ", description=5, flags={'NO-WRITES', "
                                   "'allow-oom'}")),
    # Collisions.
    load(lib("dup", ("fup", "return 1"))),
    load(lib("dup", ("ffresh", "return 1"), ("fup", "return 1"))),
    load(lib("up", ("fup", "return 'new'")), replace=True),
    load(lib("up", ("ok1", "return 1")), replace=True),
    load(lib("up", ("fup3", "return 3")), replace=True),
    ("FCALL", "fup", "0"),
    ("FCALL", "fup3", "0"),
    # Function names are one case-insensitive index; library names and a
    # library's own names are case-sensitive.
    ("FCALL", "FUP3", "0"),
    load(lib("UP", ("fUp9", "return 9"))),
    load(lib("cs", ("FUP3", "return 1"))),
    load(lib("cs", ("a", "return 'a'"), ("A", "return 'A'"))),
    ("FCALL", "FUP9", "0"),
    ("FUNCTION", "DELETE", "UP"),
    ("FUNCTION", "DELETE", "Up"),
    ("FUNCTION", "LIST", "LIBRARYNAME", "UP"),
    ("FUNCTION", "LOAD", "xx", lib("o", ("fo", "return 1"))),
    ("FUNCTION", "LOAD", "REPLACE", "x", "y"),
    ("FUNCTION", "LOAD", "REPLACE", "REPLACE", lib("o", ("fo", "return 1"))),
    ("FUNCTION", "LOAD"),
    # At load: the version and redis.log.
    load(lib("v", "local v, n = redis.REDIS_VERSION_NUM, redis.LOG_NOTICE",
             ("fv", "return type(redis.REDIS_VERSION)"))),
    ("FCALL", "fv", "0"),
    LIST_ALL,
]

FCALL = [
    load(lib("f",
             ("echo", "return {keys, args}"),
             ("nums", "return {#keys, #args, type(keys), keys[1], args[1]}"),
             ("err", "error('boom')"),
             ("errt", "error({err='MY code'})"),
             ("ereply", "return redis.error_reply('X y')"),
             ("sreply", "return redis.status_reply('FINE')"),
             ("unknown", "return redis.call('nosuch')"),
             ("keysg", "return KEYS"),
             ("argvg", "return ARGV[1]"),
             ("glob", "x = 1"),
             ("reg", "return redis.register_function('x', function() end)"),
             ("nested", "return redis.call('fcall', 'echo', '0')"),
             ("evalin", "return redis.call('eval', 'return 1', '0')"),
             ("pc", "return redis.pcall('incr', keys[1])"),
             ("luapc", "return {pcall(error, 'x')}"),
             ("setr", "redis.setresp(3) return redis.call('hgetall', "
                      "keys[1])"),
             ("w", "return redis.call('set', keys[1], args[1])"),
             ("types", "redis.call('rpush', keys[1], 'a', 'b') "
                       "redis.call('sadd', keys[2], 'm') "
                       "redis.call('zadd', keys[3], 1.5, 'z') "
                       "return {redis.call('lrange', keys[1], 0, -1), "
                       "redis.call('smembers', keys[2]), "
                       "redis.call('zrange', keys[3], 0, -1, 'withscores'), "
                       "redis.call('type', keys[1])}"),
             ("float", "return 3.99"),
             ("deep", "local function f(n) if n == 0 then return 0 end "
                      "return 1 + f(n - 1) end return f(10000)"),
             ("wrongtype", "return redis.call('lpush', keys[1], 'x')"),
             ("sel", "redis.call('select', 1) return redis.call('set', "
                     "'x', 'in1')"),
             ("gv", "return _G.string.len('abc')"),
             ("cj", "return cjson.encode({a = 1})"),
             )),
    fcall("echo", "k1", "k2", "a1", nkeys=2),
    fcall("echo"),
    fcall("nums", "k", "a", nkeys=1),
    fcall("nums"),
    fcall("err"),
    fcall("errt"),
    fcall("ereply"),
    fcall("sreply"),
    fcall("unknown"),
    fcall("keysg"),
    fcall("argvg", "a", nkeys=0),
    fcall("glob"),
    fcall("reg"),
    fcall("nested"),
    fcall("evalin"),
    ("SET", "str", "notanumber"),
    fcall("pc", "str"),
    fcall("luapc"),
    ("HSET", "h", "f", "v"),
    fcall("setr", "h"),
    fcall("w", "k", "v", nkeys=1),
    ("GET", "k"),
    fcall("types", "l", "s", "z"),
    fcall("float"),
    fcall("deep"),
    fcall("wrongtype", "k"),
    fcall("sel"),
    ("GET", "x"),
    ("SELECT", "1"), ("GET", "x"), ("SELECT", "0"),
    fcall("gv"),
    fcall("cj"),
    # Lookup and numkeys errors.
    ("FCALL", "nosuch", "0"),
    ("FCALL", "nosuch", "x"),
    ("FCALL", "nosuch", "5", "a"),
    ("FCALL", "echo", "x"),
    ("FCALL", "echo", "1.5"),
    ("FCALL", "echo", "-1"),
    ("FCALL", "echo", "2", "a"),
    ("FCALL", "echo"),
    ("FCALL", "ECHO", "0"),
    ("FCALL_RO", "nosuch", "0"),
    # Read-only calls and the no-writes flag.
    fcall("w", "k", "v", nkeys=1, ro=True),
    fcall("echo", ro=True),
    load(lib("ro", named("function_name='rget', flags={'no-writes'}, "
                         "callback=function(keys) return "
                         "redis.call('get', keys[1]) end"),
             named("function_name='rset', flags={'no-writes'}, "
                   "callback=function(keys) return "
                   "redis.call('set', keys[1], 'x') end"),
             named("function_name='rpc', flags={'no-writes'}, "
                   "callback=function(keys) return "
                   "redis.pcall('del', keys[1]) end"))),
    fcall("rget", "k", ro=True),
    fcall("rget", "k"),
    fcall("rset", "k"),
    fcall("rset", "k", ro=True),
    fcall("rpc", "k"),
    ("GET", "k"),
    # FUNCTION DELETE / FLUSH make them unknown.
    ("FUNCTION", "DELETE", "ro"),
    ("FUNCTION", "DELETE", "ro"),
    fcall("rget", "k"),
    ("FUNCTION", "FLUSH"),
    fcall("echo"),
]

ADMIN = [
    load(lib("a1", named("function_name='fa', description='the a', "
                         "flags={'no-writes', 'allow-stale', 'no-cluster', "
                         "'allow-cross-slot-keys', 'allow-oom'}, " + CB))),
    load(lib("b2", ("fb", "return 2"))),
    ("FUNCTION", "LIST", "LIBRARYNAME", "a1"),
    ("FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME", "b*"),
    ("FUNCTION", "LIST", "LIBRARYNAME", "A?"),
    ("FUNCTION", "LIST", "LIBRARYNAME", "x*"),
    ("FUNCTION", "LIST", "LIBRARYNAME"),
    ("FUNCTION", "LIST", "WITHCODE", "WITHCODE"),
    ("FUNCTION", "LIST", "LIBRARYNAME", "a", "LIBRARYNAME", "b"),
    ("FUNCTION", "LIST", "foo"),
    ("FUNCTION", "STATS"),
    ("FUNCTION", "STATS", "x"),
    ("FUNCTION", "DELETE", "nosuch"),
    ("FUNCTION", "DELETE"),
    ("FUNCTION", "DELETE", "a1", "b2"),
    ("FUNCTION", "DELETE", "a1"),
    ("FUNCTION", "LIST", "WITHCODE"),
    ("FUNCTION", "DUMP"),
    ("FUNCTION", "DUMP", "x"),
    ("FUNCTION", "KILL"),
    ("FUNCTION", "KILL", "x"),
    ("FUNCTION", "FLUSH", "x"),
    ("FUNCTION", "FLUSH", "SYNC", "ASYNC"),
    ("FUNCTION", "FLUSH", "async"),
    ("FUNCTION", "FLUSH", "SYNC"),
    ("FUNCTION", "STATS"),
    ("FUNCTION", "LIST"),
    ("FUNCTION", "DUMP"),
    ("FUNCTION", "HELP"),
    ("FUNCTION", "HELP", "x"),
    ("FUNCTION", "NOSUCH"),
    ("FUNCTION",),
    ("FUNCTION", "RESTORE"),
    # Inside MULTI, and FLUSHALL keeps the libraries.
    ("MULTI",), load(lib("m", ("fm", "return redis.call('incr', 'ctr')"))),
    fcall("fm"), fcall("fm"), ("FUNCTION", "LIST"), ("EXEC",),
    ("FLUSHALL",), fcall("fm"),
    ("MULTI",), load(lib("m", ("fm", "return 1"))), ("EXEC",),
    ("MULTI",), fcall("nosuch"), ("FCALL",), ("EXEC",),
]


def fresh(port, proto):
    from resp_raw import RawConn
    c = RawConn(port)
    c.call("FLUSHALL")
    c.call("FUNCTION", "FLUSH")
    if proto == 3:
        c.call("HELLO", "3")
    return c


def check(server, real_redis, proto, steps):  # noqa: F811
    ours = fresh(server.port, proto)
    theirs = fresh(real_redis.port, proto)
    bad = compare_script(ours, theirs, steps, unordered=(LIST_ALL,))
    ours.call("FUNCTION", "FLUSH")
    theirs.call("FUNCTION", "FLUSH")
    assert not bad, "\n".join("%r: shale %r, redis %r" % x for x in bad)


@pytest.mark.parametrize("proto", [2, 3])
def test_load_matches_redis(server, real_redis, proto):  # noqa: F811
    check(server, real_redis, proto, LOAD)


@pytest.mark.parametrize("proto", [2, 3])
def test_fcall_matches_redis(server, real_redis, proto):  # noqa: F811
    check(server, real_redis, proto, FCALL)


@pytest.mark.parametrize("proto", [2, 3])
def test_function_subcommands_match_redis(server, real_redis,  # noqa: F811
                                          proto):
    check(server, real_redis, proto, ADMIN)


def test_load_timeout_matches_redis(server, real_redis):  # noqa: F811
    """Library code that runs past 500 ms at load is stopped."""
    check(server, real_redis, 2, [
        load("#!lua name=t\nlocal i = 0 while true do i = i + 1 end"),
        ("FUNCTION", "LIST"),
    ])


def listing(client, *args):
    """FUNCTION LIST as Python values, libraries and functions sorted (the
    order of Redis's is its dictionaries')."""
    libs = []
    for lib_info in client.execute_command("FUNCTION", "LIST", *args):
        d = dict(zip(lib_info[::2], lib_info[1::2]))
        fns = []
        for f in d[b"functions"]:
            fd = dict(zip(f[::2], f[1::2]))
            fd[b"flags"] = sorted(fd[b"flags"])
            fns.append(repr(sorted(fd.items())))
        d[b"functions"] = sorted(fns)
        libs.append(sorted(d.items()))
    return sorted(libs, key=repr)


MANY = [
    lib("alpha", ("a1", "return 'a1'"), ("a2", "return keys[1]"),
        named("function_name='a3', description='third', "
              "flags={'no-writes'}, " + CB)),
    lib("beta", ("b1", "return redis.call('incr', keys[1])"),
        ("b2", "return #args")),
    lib("gamma" + "x" * 40, ("g1", "return '" + "long " * 30 + "'")),
]


def test_many_functions_list_as_redis(server, real_redis):  # noqa: F811
    """Several libraries of several functions: the same listing (compared
    without order) and the same calls."""
    ours, theirs = server.redis(), real_redis.redis()
    for c in (ours, theirs):
        c.function_flush()
        for code in MANY:
            c.function_load(code)
    try:
        assert listing(ours) == listing(theirs)
        assert listing(ours, "WITHCODE") == listing(theirs, "WITHCODE")
        assert (ours.execute_command("FUNCTION", "STATS") ==
                theirs.execute_command("FUNCTION", "STATS"))
        for c in (ours, theirs):
            c.delete("n")
        for f, args in [("a1", [0]), ("a2", [1, "k"]), ("a3", [0]),
                        ("b1", [1, "n"]), ("b1", [1, "n"]),
                        ("b2", [0, "x", "y"]), ("g1", [0])]:
            assert ours.fcall(f, *args) == theirs.fcall(f, *args)
    finally:
        ours.function_flush()
        theirs.function_flush()


def crc64(data):
    crc = 0
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x95AC9329AC4BC9B5 if crc & 1 else 0)
    return crc


def payload(body, version=10):
    body += bytes([version & 0xFF, version >> 8])
    return body + crc64(body).to_bytes(8, "little")


def rdb_string(s):
    if isinstance(s, str):
        s = s.encode()
    n = len(s)
    if n < 64:
        return bytes([n]) + s
    if n < 16384:
        return bytes([0x40 | (n >> 8), n & 0xFF]) + s
    return b"\x80" + n.to_bytes(4, "big") + s


def lib_payload(*codes):
    return payload(b"".join(b"\xf5" + rdb_string(c) for c in codes))


GOOD = lib("p1", ("fp1", "return 'p1'"))
GOOD2 = lib("p2", ("fp2", "return 'p2'"))


def test_crc64_helper():
    assert crc64(b"123456789") == 0xe9c6d914c4b8d9ca


RESTORES = [
    ("FUNCTION", "RESTORE", lib_payload(GOOD)),
    ("FCALL", "fp1", "0"),
    ("FUNCTION", "RESTORE", lib_payload(GOOD)),
    ("FUNCTION", "RESTORE", lib_payload(GOOD), "APPEND"),
    ("FUNCTION", "RESTORE", lib_payload(GOOD), "replace"),
    ("FUNCTION", "RESTORE", lib_payload(GOOD2), "flush"),
    ("FCALL", "fp1", "0"),
    ("FCALL", "fp2", "0"),
    ("FUNCTION", "RESTORE", lib_payload(GOOD), "bogus"),
    ("FUNCTION", "RESTORE", b"short", "bogus"),
    ("FUNCTION", "RESTORE", lib_payload(GOOD), "flush", "x"),
    ("FUNCTION", "RESTORE", b"short"),
    ("FUNCTION", "RESTORE", b""),
    ("FUNCTION", "RESTORE", lib_payload(GOOD)[:-1] + b"\x00"),
    ("FUNCTION", "RESTORE", payload(b"\xf5" + rdb_string(GOOD), 11)),
    ("FUNCTION", "RESTORE", payload(b"\xf5" + rdb_string(GOOD), 9)),
    ("FUNCTION", "RESTORE", payload(b"")),
    ("FUNCTION", "RESTORE", payload(b""), "FLUSH"),
    ("FUNCTION", "LIST"),
    ("FUNCTION", "RESTORE", payload(b"\x00" + rdb_string(GOOD))),
    # Redis 7.0's pre-GA form: name, engine, [description], code.
    ("FUNCTION", "RESTORE", payload(b"\xf6" + rdb_string(GOOD))),
    ("FUNCTION", "RESTORE", payload(
        b"\xf6" + rdb_string("pg") + rdb_string("LUA") + b"\x00" +
        rdb_string("redis.register_function('pgf', function() return 1 end)"
                   ))),
    ("FUNCTION", "RESTORE", payload(
        b"\xf6" + rdb_string("pg2") + rdb_string("LUA") + b"\x01" +
        rdb_string("a description") +
        rdb_string("redis.register_function('pgf2', function() return 2 end)"
                   ))),
    ("FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME", "pg"),
    ("FCALL", "pgf2", "0"),
    ("FUNCTION", "RESTORE", payload(
        b"\xf6" + rdb_string("p-g") + rdb_string("LUA") + b"\x00" +
        rdb_string("return 1"))),
    ("FUNCTION", "RESTORE", payload(
        b"\xf6" + rdb_string("pq") + rdb_string("foo") + b"\x00" +
        rdb_string("return 1"))),
    ("FUNCTION", "RESTORE", payload(b"\xf6\x01")),
    ("FUNCTION", "RESTORE", payload(b"\xf6\x02")),
    ("FUNCTION", "RESTORE", payload(b"\xf6\x02n")),
    ("FUNCTION", "RESTORE", payload(b"\xf6\x18" + b"n" * 23)),
    ("FUNCTION", "RESTORE", payload(b"\xf6\x40" + b"n" * 55)),
    ("FUNCTION", "RESTORE", payload(b"\xf6" + rdb_string("pg") +
                                    rdb_string("LUA"))),
    ("FUNCTION", "RESTORE", payload(b"\xf5\x3f" + b"x" * 5)),
    ("FUNCTION", "RESTORE", payload(b"\xf5\x80\xff\xff\xff\xff")),
    ("FUNCTION", "RESTORE", payload(b"\xf5\x14" + b"x" * 12)),
    ("FUNCTION", "RESTORE", payload(b"\xf5\xc4")),
    ("FUNCTION", "RESTORE", payload(b"\xf5\xc3\x05\x40\x00abcde")),
    ("FUNCTION", "RESTORE", payload(b"\xf5\xc0\x05")),
    ("FUNCTION", "RESTORE", payload(b"\xf5" + rdb_string(GOOD) + b"\xf5")),
    ("FUNCTION", "RESTORE", lib_payload("#!lua name=bad\nreturn +")),
    ("FUNCTION", "RESTORE", lib_payload("no shebang")),
    ("FUNCTION", "RESTORE", lib_payload(GOOD, GOOD)),
    ("FUNCTION", "RESTORE", lib_payload(GOOD, lib("p3", ("fp1", "return 3"))),
     "FLUSH"),
    ("FUNCTION", "RESTORE", lib_payload(GOOD, GOOD2), "REPLACE"),
    ("FUNCTION", "RESTORE", lib_payload(lib("p9", ("fp2", "return 9"))),
     "REPLACE"),
    ("FUNCTION", "RESTORE", lib_payload(lib("p2", ("fp1", "return 9"))),
     "REPLACE"),
    ("FCALL", "fp1", "0"),
    ("FCALL", "fp2", "0"),
    ("FUNCTION", "RESTORE", lib_payload(lib("p2", ("fp3", "return 9"))),
     "REPLACE"),
    ("FCALL", "fp2", "0"),
    ("FCALL", "fp3", "0"),
    ("FUNCTION", "DELETE", "p1"),
    ("FUNCTION", "DELETE", "pg"),
    ("FUNCTION", "DELETE", "pg2"),
    ("FUNCTION", "DUMP"),
]


@pytest.mark.parametrize("proto", [2, 3])
def test_restore_matches_redis(server, real_redis, proto):  # noqa: F811
    """RESTORE's policies, collisions and bad payloads (checksum, version,
    truncation, opcodes, strings running into the footer, LZF, code that
    does not load): Redis's replies, the server up; DUMP of one library
    is Redis's bytes."""
    check(server, real_redis, proto, RESTORES)
    assert server.redis().ping()


def test_random_payloads_match_redis(server, real_redis):  # noqa: F811
    """Random bytes after the opcode, under a valid footer: the same reply
    from both servers."""
    seed = random.randrange(1 << 30)
    print("seed", seed)
    rnd = random.Random(seed)
    steps = []
    for _ in range(300):
        n = rnd.randrange(0, 40)
        body = b"\xf5" + bytes(rnd.randrange(256) for _ in range(n))
        if rnd.random() < 0.3:
            body = b"\xf5" + rdb_string(GOOD)[:rnd.randrange(1, 40)]
        steps.append(("FUNCTION", "RESTORE", payload(body), "FLUSH"))
    check(server, real_redis, 2, steps)


def test_dump_restore_across_servers(server, real_redis):  # noqa: F811
    """Payloads of real Redis restore into shale and shale's into Redis
    (compressed and not): the same libraries, functions that run."""
    ours, theirs = server.redis(), real_redis.redis()
    try:
        for compression in ("yes", "no"):
            for c in (ours, theirs):
                c.function_flush()
                c.config_set("rdbcompression", compression)
            for code in MANY:
                theirs.function_load(code)
            ours.function_restore(theirs.function_dump())
            assert listing(ours, "WITHCODE") == listing(theirs, "WITHCODE")
            assert ours.fcall("g1", 0) == theirs.fcall("g1", 0)
            theirs.function_flush()
            theirs.function_restore(ours.function_dump())
            assert listing(ours, "WITHCODE") == listing(theirs, "WITHCODE")
            # One library: the same bytes.
            for c in (ours, theirs):
                c.function_flush()
                c.function_load(MANY[2])
            assert ours.function_dump() == theirs.function_dump()
    finally:
        for c in (ours, theirs):
            c.config_set("rdbcompression", "yes")
            c.function_flush()


def test_fcall_write_breaks_watch(server, r):
    """A function's write of a watched key aborts the watcher's EXEC; a
    FUNCTION LOAD does not."""
    import redis
    r.function_load(lib("ww", ("wset", "redis.call('set', keys[1], 'x')")),
                    replace=True)
    other = server.redis()
    try:
        r.set("w", "1")
        p = r.pipeline()
        p.watch("w")
        other.fcall("wset", 1, "w")
        p.multi()
        p.get("w")
        with pytest.raises(redis.WatchError):
            p.execute()
        p = r.pipeline()
        p.watch("w")
        other.function_load(lib("zz", ("zf", "return 1")), replace=True)
        p.multi()
        p.get("w")
        assert p.execute() == [b"x"]
    finally:
        other.close()
        r.function_flush()


def connections_on_every_thread(server, n=8):
    import redis
    return [redis.Redis(host="127.0.0.1", port=server.port, socket_timeout=20)
            for _ in range(n)]


def test_every_thread_sees_changes(server, r):
    """Connections are dealt to the I/O threads in turn: each of eight
    sees a LOAD, a REPLACE, a DELETE and a RESTORE at once."""
    import redis
    conns = connections_on_every_thread(server)
    try:
        r.function_load(lib("t", ("tf", "return 'v1'")))
        assert [c.fcall("tf", 0) for c in conns] == [b"v1"] * len(conns)
        info = r.info("memory")
        assert info["number_of_functions"] == 1
        assert info["used_memory_functions"] == len(lib("t", ("tf", "return "
                                                                  "'v1'")))
        r.function_load(lib("t", ("tf", "return 'v2'")), replace=True)
        assert [c.fcall("tf", 0) for c in conns] == [b"v2"] * len(conns)
        r.function_load(lib("t", ("tg", "return 'g'")), replace=True)
        for c in conns:
            with pytest.raises(redis.ResponseError, match="not found"):
                c.fcall("tf", 0)
            assert c.fcall("tg", 0) == b"g"
        dump = r.function_dump()
        r.function_delete("t")
        for c in conns:
            with pytest.raises(redis.ResponseError, match="not found"):
                c.fcall("tg", 0)
        conns[3].function_restore(dump)
        assert [c.fcall("tg", 0) for c in conns] == [b"g"] * len(conns)
        conns[5].function_flush()
        for c in conns:
            with pytest.raises(redis.ResponseError, match="not found"):
                c.fcall("tg", 0)
    finally:
        for c in conns:
            c.close()
        r.function_flush()


SLOW_RMW = ("local v = tonumber(redis.call('get', keys[1]) or '0') "
            "for i = 1, 20000 do end "
            "redis.call('set', keys[1], v + 1)")


def test_functions_are_atomic(server, r):
    """4 clients run a slow read-modify-write function while 4 others INCR
    the same key: no increment is lost."""
    r.function_load(lib("rmw", ("rmw", SLOW_RMW),
                        ("rmw_any", "redis.call('keys', 'nomatch*') " +
                         SLOW_RMW.replace("keys[1]", "'ctr'"))),
                    replace=True)
    errors = []

    def worker(fn, n):
        c = server.redis()
        try:
            for _ in range(n):
                if fn == "incr":
                    c.incr("ctr")
                else:
                    c.fcall(fn, 1, "ctr")
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            c.close()

    threads = ([threading.Thread(target=worker, args=("rmw", 100))
                for _ in range(2)] +
               [threading.Thread(target=worker, args=("rmw_any", 100))
                for _ in range(2)] +
               [threading.Thread(target=worker, args=("incr", 200))
                for _ in range(4)])
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    r.function_flush()
    assert not errors, errors
    assert int(r.get("ctr")) == 4 * 100 + 4 * 200


def test_function_kill_and_stats(server, r):
    """From a connection on another I/O thread: FUNCTION STATS shows the
    running function, SCRIPT KILL refuses to stop it, FUNCTION KILL does
    (Redis 7.0's texts), and then nothing runs."""
    import socket

    import redis
    from resp_raw import RawConn
    r.function_load(lib("spin", ("spin", "local i = 0 while true do "
                                         "i = i + 1 end")), replace=True)
    r.config_set("busy-reply-threshold", "0")

    pool = []

    def open_pool():
        """Connections opened while nothing runs: a running script holds
        its I/O thread, which then accepts and serves nothing (connections
        are dealt to the threads in turn, so eight reach both)."""
        for c in pool:
            c.close()
        pool[:] = [RawConn(server.port) for _ in range(8)]
        for c in pool:
            assert c.call("PING") == b"+PONG\r\n"

    def free_conn():
        """A pooled connection whose I/O thread answers (one that does not
        within 0.5 s is on the running script's thread: dropped)."""
        while pool:
            c = pool[0]
            c.timeout = 0.5
            try:
                if c.call("PING") == b"+PONG\r\n":
                    c.timeout = 20
                    return c
            except (socket.timeout, TimeoutError, OSError):
                pass
            pool.pop(0).close()
        raise AssertionError("no free I/O thread")

    result = {}

    def run(*args):
        try:
            result["reply"] = r.execute_command(*args)
        except redis.ResponseError as e:
            result["error"] = str(e)

    t = threading.Thread(target=run, args=("FCALL", "spin", 1, "k1", "arg"))
    try:
        open_pool()
        t.start()

        def running():
            stats = free_conn().call("FUNCTION", "STATS")
            return b"running_script\r\n*6" in stats and stats

        stats = wait_for(running, 10, "FUNCTION STATS shows the function")
        assert stats.startswith(
            b"*4\r\n$14\r\nrunning_script\r\n*6\r\n$4\r\nname\r\n"
            b"$4\r\nspin\r\n$7\r\ncommand\r\n*5\r\n$5\r\nFCALL\r\n"
            b"$4\r\nspin\r\n$1\r\n1\r\n$2\r\nk1\r\n$3\r\narg\r\n"
            b"$11\r\nduration_ms\r\n:"), stats
        c = free_conn()
        assert c.call("SCRIPT", "KILL") == (
            b"-BUSY Redis is busy running a script. You can only call "
            b"FUNCTION KILL or SHUTDOWN NOSAVE.\r\n")
        assert c.call("FUNCTION", "KILL") == b"+OK\r\n"
        t.join(10)
        assert result == {"error": "Script killed by user with SCRIPT KILL... "
                                   "script: spin, on @user_function:2."}
        assert c.call("FUNCTION", "KILL") == (
            b"-NOTBUSY No scripts in execution right now.\r\n")
        assert c.call("FUNCTION", "STATS").startswith(
            b"*4\r\n$14\r\nrunning_script\r\n$-1\r\n")
        # An EVAL running: FUNCTION KILL refuses, SCRIPT KILL stops it.
        result.clear()
        open_pool()
        t = threading.Thread(target=run, args=("EVAL", "while true do end",
                                               0))
        t.start()
        wait_for(lambda: b"You can only call SCRIPT KILL" in
                 free_conn().call("FUNCTION", "KILL"), 10,
                 "FUNCTION KILL refuses an EVAL")
        assert free_conn().call("SCRIPT", "KILL") == b"+OK\r\n"
        t.join(10)
        assert "Script killed by user" in result["error"]
    finally:
        if t.is_alive():
            c = free_conn()
            c.call("FUNCTION", "KILL")
            c.call("SCRIPT", "KILL")
            t.join(10)
        for c in pool:
            c.close()
        r.config_set("busy-reply-threshold", "5000")
        r.function_flush()


def test_libraries_survive_restart(tmp_path):
    """LOAD, REPLACE, DELETE, FLUSH and RESTORE are each stored: after a
    restart on the same data directory FUNCTION LIST is the same and the
    functions run."""
    srv = ShaleServer(str(tmp_path)).start()
    try:
        r = srv.redis()
        for code in MANY:
            r.function_load(code)
        r.function_load(lib("beta", ("b9", "return 'replaced'")),
                        replace=True)
        r.function_load(lib("gone", ("gf", "return 1")))
        r.function_delete("gone")
        before = listing(r, "WITHCODE")
        dump = r.function_dump()
        assert srv.stop() == 0
        srv.start()
        r = srv.redis()
        assert listing(r, "WITHCODE") == before
        assert r.function_dump() == dump
        assert r.fcall("b9", 0) == b"replaced"
        assert r.fcall("a2", 1, "key") == b"key"
        # Killed, not stopped: the store is an engine write like any.
        r.function_flush()
        r.function_restore(dump)
        r.function_delete("alpha")
        srv.kill()
        srv.start()
        r = srv.redis()
        assert [dict(x)[b"library_name"] for x in listing(r)] == [
            b"beta", b"gamma" + b"x" * 40]
        r.function_flush()
        srv.stop()
        srv.start()
        assert srv.redis().function_list() == []
    finally:
        srv.cleanup()


def test_pause_write_holds_writing_functions(server):
    """CLIENT PAUSE WRITE holds FCALL of a function without no-writes (it
    may replicate, as in Redis 7.0), not FCALL_RO nor a no-writes
    function."""
    from test_resp_clients import conn, info_field, wait_blocked
    ctl, f = conn(server.port), conn(server.port)
    ctl.call("FUNCTION", "FLUSH")
    ctl.call("FUNCTION", "LOAD", lib(
        "pw", ("pw_set", "return redis.call('set', keys[1], 'x')"),
        named("function_name='pw_get', flags={'no-writes'}, "
              "callback=function(keys) return redis.call('get', keys[1]) "
              "end")))
    base = info_field(ctl, "clients", "blocked_clients")
    assert ctl.call("CLIENT", "PAUSE", "100000", "WRITE") == b"+OK\r\n"
    try:
        assert f.call("FCALL", "pw_get", "1", "pk") == b"$-1\r\n"
        assert f.call("FCALL_RO", "pw_get", "1", "pk") == b"$-1\r\n"
        f.send("FCALL", "pw_set", "1", "pk")
        wait_blocked(ctl, base + 1)
        line = [ln for ln in ctl.call("CLIENT", "LIST").decode().splitlines()
                if " flags=b " in ln]
        assert len(line) == 1 and "cmd=fcall " in line[0], line
    finally:
        assert ctl.call("CLIENT", "UNPAUSE") == b"+OK\r\n"
    assert f.reply() == b"+OK\r\n"
    assert ctl.call("GET", "pk") == b"$1\r\nx\r\n"
    ctl.call("FUNCTION", "FLUSH")
    for c in (ctl, f):
        c.close()
