"""Lua scripts (EVAL EVALSHA EVAL_RO EVALSHA_RO SCRIPT ...) byte for byte
against redis-server 7.0 (real_redis.py), in RESP2 and RESP3: reply
conversions both ways, errors inside scripts and their positions, pcall,
the sandbox, shebang flags, scripts touching every type, SCRIPT's
subcommands, cmsgpack and struct on random input. What only shale can
show (atomicity, bounds, SCRIPT KILL) is in test_resp_scripting_runtime.py."""
import pytest

from real_redis import compare_script, fresh_raw, real_redis  # noqa: F401

SHA_RETURN_1 = "e0e1f9fabfc9d4800c877a703b823ac0578ff8db"  # "return 1"


def ev(body, *keys_then_args, nkeys=None):
    """An EVAL step: body, numkeys (all of keys_then_args by default)."""
    n = len(keys_then_args) if nkeys is None else nkeys
    return ("EVAL", body, str(n)) + tuple(keys_then_args)


CONVERSIONS = [
    # Lua -> RESP.
    ev("return 1"),
    ev("return 3.99"),
    ev("return -3.99"),
    ev("return 1e20"),
    ev("return math.huge"),
    ev("return -math.huge"),
    ev("return 0/0"),
    ev("return 'str'"),
    ev("return ''"),
    ev("return true"),
    ev("return false"),
    ev("return nil"),
    ev("return"),
    ev("return {}"),
    ev("return {1, 2, 3.9, 'x', nil, 5}"),
    ev("return {1, {2, {3, {'deep'}}}, false, true}"),
    ev("return {err='bad thing'}"),
    ev("return {err='ERR\\r\\nsplit'}"),
    ev("return {err='\\r\\nERR x\\r\\n'}"),
    ev("return {ok='\\r\\nx\\r\\n'}"),
    ev("return {err='*1\\r\\n$3\\r\\nfoo\\r\\n'}"),
    ev("error('x\\r\\n')"),
    ev("error('\\nx')"),
    ev("return redis.error_reply('\\r\\nx\\r\\n')"),
    ev("return {ok='fine'}"),
    ev("return {ok='a\\r\\nb'}"),
    ev("return {ok='a\\0b'}"),
    ev("return {1, 2, {err='x'}}"),
    ev("return {1, 2, {ok='x'}}"),
    ev("return redis.error_reply('My err')"),
    ev("return redis.error_reply('x')"),
    ev("return redis.error_reply('-WRONGTYPE bad type')"),
    ev("return redis.error_reply(5)"),
    ev("return redis.status_reply('X')"),
    ev("return redis.status_reply()"),
    ev("return {double=3.14}"),
    ev("return {double='x'}"),
    ev("return {big_number='12345678901234567890'}"),
    ev("return {verbatim_string={format='txt', string='hello'}}"),
    ev("return {map={a=1}}"),
    ev("return {set={a=true}}"),
    ev("return {map={}, 1}"),
    ev("return {'a', {map={k={1,2}}}}"),
    ev("return {1, 2, 3, n=4}"),
    ev("return function() end"),
    # RESP3 from the script's side.
    ev("redis.setresp(3) return true"),
    ev("redis.setresp(3) return false"),
    ev("redis.setresp(3) return {double=3.5}"),
    ev("redis.setresp(3) return {double=1/0}"),
    ev("redis.setresp(3) return {big_number='123'}"),
    ev("redis.setresp(3) return {verbatim_string={format='mkd', string='x'}}"),
    ev("redis.setresp(3) return {map={a={set={b=true}}}}"),
    # RESP -> Lua.
    ev("redis.call('set', KEYS[1], 'v') return redis.call('get', KEYS[1])",
       "k"),
    ev("return redis.call('get', 'nokey')"),
    ev("return type(redis.call('get', 'nokey'))"),
    ev("return redis.call('set', 'k', 'v')"),
    ev("return type(redis.call('set', 'k', 'v'))"),
    ev("return redis.call('set', 'k', 'v')['ok']"),
    ev("return redis.call('incr', 'n')"),
    ev("return type(redis.call('incr', 'n'))"),
    ev("return redis.call('lrange', 'nokey', 0, -1)"),
    ev("return redis.call('blpop', 'nokey', 0)"),
    ev("return redis.pcall('incr', 'k')"),
    ev("return type(redis.pcall('incr', 'k'))"),
    ev("return redis.pcall('incr', 'k')['err']"),
    ev("redis.call('hset', 'h', 'f', 'v') return redis.call('hgetall', 'h')"),
    ev("redis.setresp(3) return redis.call('hgetall', 'h')"),
    ev("redis.setresp(3) return type(redis.call('hgetall', 'h'))"),
    ev("redis.setresp(3) local m = redis.call('hgetall', 'h') "
       "return m['map']['f']"),
    ev("redis.setresp(3) return redis.call('get', 'nokey')"),
    ev("redis.setresp(3) return type(redis.call('get', 'nokey'))"),
    ev("redis.setresp(3) redis.call('sadd', 's', 'a') "
       "return redis.call('smembers', 's')"),
    ev("redis.setresp(3) redis.call('zadd', 'z', 1.5, 'm') "
       "return redis.call('zscore', 'z', 'm')"),
    ev("redis.setresp(3) return type(redis.call('zscore', 'z', 'm'))"),
    ev("redis.setresp(3) return redis.call('zscore', 'z', 'm')['double']"),
    ev("redis.setresp(3) return redis.call('exists', 'z')"),
    ev("return redis.call('zscore', 'z', 'm')"),
    ev("return redis.call('ping')"),
    ev("return redis.call('echo', 'hi')"),
    ev("return redis.call('set', 'n2', 3.0)"),
    ev("return redis.call('get', 'n2')"),
    ev("return redis.call('set', 'n3', 0.1)"),
    ev("return redis.call('get', 'n3')"),
    ev("return redis.call('incrbyfloat', 'n4', 1.5)"),
    # KEYS and ARGV.
    ev("return {KEYS[1], KEYS[2], ARGV[1], ARGV[2], #KEYS, #ARGV}",
       "k1", "k2", "a1", "a2", nkeys=2),
    ev("return ARGV", "a", "b\x00c", nkeys=0),
    ev("KEYS[1] = 'x' return KEYS", "k"),
]

ERRORS = [
    ("EVAL", "return 1", "-1"),
    ("EVAL", "return 1", "2", "a"),
    ("EVAL", "return 1", "x"),
    ("EVAL", "return 1"),
    ("EVALSHA", "abc", "0"),
    ("EVALSHA", "0" * 40, "0"),
    ev("retur 1"),
    ev("return 1 +"),
    ev("error('boom')"),
    ev("error('x', 0)"),
    ev("error(nil)"),
    ev("error(12)"),
    ev("error({err='boom'})"),
    ev("error({err='MYCODE boom'})"),
    ev("local x = nil + 1"),
    ev("\n\nerror('line three')"),
    ev("return redis.call('nosuch')"),
    ev("return redis.call('get')"),
    ev("return redis.call()"),
    ev("return redis.call({})"),
    ev("return redis.call('get', {})"),
    ev("return redis.pcall('set', 'a', {})"),
    ev("return redis.call('incr', 'k', 'x')"),
    ev("redis.call('set', 's', 'a') return redis.call('incr', 's')"),
    ev("redis.call('set', 's', 'a') return redis.call('lpush', 's', 'x')"),
    ev("return redis.call('multi')"),
    ev("return redis.call('eval', 'return 1', '0')"),
    ev("return redis.call('subscribe', 'c')"),
    ev("return redis.call('watch', 'k')"),
    ev("return redis.call('script', 'load', 'return 1')"),
    ev("return redis.call('brpop', 'x', 0)"),
    ev("return redis.call('config', 'get', 'x')"),
    ev("return redis.call('client', 'id')"),
    ev("return pcall(redis.call, 'nosuch')"),
    ev("local ok, e = pcall(redis.call, 'nosuch') return e"),
    ev("local ok, e = pcall(error, 'x') return e"),
    ev("local ok, e = pcall(error, {err='T x'}) return e"),
    ev("return {pcall(redis.call, 'incr', 'k', 'x')}"),
    ev("return redis.pcall('nosuch')"),
    ev("return coroutine.resume(coroutine.create(function() error('z') end))"),
    ev("return redis.sha1hex('')"),
    ev("return redis.sha1hex('abc')"),
    ev("return redis.sha1hex()"),
    ev("return redis.setresp(4)"),
    ev("return redis.setresp()"),
    ev("return redis.log(1)"),
    ev("return redis.log('x', 'y')"),
    ev("return redis.log(9, 'y')"),
    ev("return redis.log(redis.LOG_WARNING, 'from a test script')"),
    ev("return redis.breakpoint()"),
    ev("return redis.debug('x')"),
    ev("return redis.replicate_commands()"),
    ev("return redis.set_repl(redis.REPL_ALL)"),
    ev("return redis.set_repl(99)"),
    ev("return redis.set_repl()"),
    ev("return {redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, "
       "redis.REPL_REPLICA, redis.REPL_ALL, redis.LOG_DEBUG, "
       "redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING}"),
    ev("return redis.acl_check_cmd('get', 'x')"),
    ev("return redis.acl_check_cmd('nosuch')"),
    ev("local function f(n) return 1 + f(n + 1) end return f(1)"),
    ev("return string.rep('x', -1)"),
    ev("return type(math.random)"),
]

SANDBOX = [
    ev("a = 5"),
    ev("return x"),
    ev("return os"),
    ev("return io"),
    ev("return loadfile"),
    ev("return dofile"),
    ev("return require"),
    ev("return print"),
    ev("return debug"),
    ev("return newproxy"),
    ev("return module"),
    ev("return package"),
    ev("_G.x = 1"),
    ev("rawset(_G, 'x', 1)"),
    ev("string.x = 1"),
    ev("redis.call = nil"),
    ev("math.random = nil"),
    ev("cjson.encode = nil"),
    ev("return string.x"),
    ev("return type(getmetatable(_G))"),
    ev("return type(loadstring)"),
    ev("return loadstring('return 5')()"),
    ev("return type(gcinfo)"),
    ev("return type(unpack)"),
    ev("return _VERSION"),
    ev("return type(rawget(_G, 'redis'))"),
    ev("return rawget(_G, 'nosuch')"),
    ev("local n = 0 for k, v in pairs(redis) do n = n + 1 end return n"),
    ev("local n = 0 for k, v in pairs(string) do n = n + 1 end return n"),
    ev("return string.rep('x', 3)"),
    ev("return ('abc'):upper()"),
    ev("return string.format('%d-%s', 5, 'x')"),
    ev("return table.concat({1, 2, 3}, ',')"),
    ev("return math.floor(3.7)"),
    ev("return tostring(math.pi)"),
    ev("return cjson.encode({1, 2, {a=1}})"),
    ev("return cjson.decode('[1,2,{\"a\":3}]')[3].a"),
    ev("return cjson.decode('{\"a\":[1,2]}')['a']"),
    ev("return bit.band(7, 3)"),
    ev("return bit.tohex(255)"),
    ev("return bit.bxor(5, 3)"),
    ev("return redis.REDIS_VERSION_NUM > 0"),
    ev("local t = {} setmetatable(t, {__index=function() return 7 end}) "
       "return t.x"),
    ev("setmetatable(_G, nil)"),
    ev("return type(KEYS)"),
    ev("local x = 1 return x"),
    ev("local function f() return 2 end return f()"),
]

CMSGPACK = [
    ev("return cmsgpack.pack(1, -1, 0, 127, 128, 255, 256, 65535, 65536, "
       "4294967295, 4294967296, -32, -33, -128, -129, -32768, -32769, "
       "-2147483648, -2147483649, 2^53, -2^63, 2^63, 2^64)"),
    ev("return cmsgpack.pack(0.5, 0.1, -1.25, 1/0, -1/0, 1e300, 3.14159)"),
    ev("return cmsgpack.pack('', 'a', string.rep('x', 31), "
       "string.rep('y', 32), string.rep('z', 255), string.rep('w', 256))"),
    ev("return #cmsgpack.pack(string.rep('v', 70000))"),
    ev("return cmsgpack.pack(true, false, nil)"),
    ev("return cmsgpack.pack({}, {1, 2, 3}, {a=1}, {1, 2, nil, 4}, "
       "{[1]=1, [3]=3}, {[0]=1}, {['1']=1}, {[1.5]=1})"),
    ev("local t = {} for i = 1, 20 do t[i] = i end "
       "local m = {} for i = 1, 20 do m['k' .. i] = i end "
       "return cmsgpack.pack(t, m)"),
    ev("local t = {} t[1] = t return cmsgpack.pack(t)"),
    ev("return cmsgpack.pack(function() end)"),
    ev("return cmsgpack.pack()"),
    ev("return {cmsgpack.unpack(cmsgpack.pack(1, 'a', {1, 2}, {a=1}, 0.5, "
       "true, -1e10))}"),
    ev("local t = cmsgpack.unpack(cmsgpack.pack({a={b={c='d'}}})) "
       "return t.a.b.c"),
    ev("return {cmsgpack.unpack(ARGV[1])}", b"\x93\x01\x02\xa1x", nkeys=0),
    ev("return {cmsgpack.unpack(ARGV[1])}", b"\xd9\x03abc", nkeys=0),
    ev("return {cmsgpack.unpack(ARGV[1])}", b"\xc4\x01z", nkeys=0),
    ev("return {tostring(cmsgpack.unpack(ARGV[1]))}",
       b"\xcb\x40\x09\x21\xfb\x54\x44\x2d\x18", nkeys=0),
    ev("return {tostring(cmsgpack.unpack(ARGV[1]))}", b"\xca\x3f\x80\x00\x00",
       nkeys=0),
    ev("return cmsgpack.unpack(ARGV[1])", b"\x92\x01", nkeys=0),
    ev("return cmsgpack.unpack(ARGV[1])", b"\xc1", nkeys=0),
    ev("return cmsgpack.unpack(ARGV[1])", b"", nkeys=0),
    ev("return cmsgpack.unpack()"),
    ev("return cmsgpack.unpack(ARGV[1])", b"\x81\xc0\x01", nkeys=0),
    ev("return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3))}"),
    ev("return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 2)}"),
    ev("return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 3)}"),
    ev("return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 9)}"),
    ev("return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), -1)}"),
    ev("return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2)}"),
    ev("return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2, 1)}"),
    ev("return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), -2)}"),
    ev("return {cmsgpack._NAME, cmsgpack._VERSION, cmsgpack._COPYRIGHT, "
       "cmsgpack._DESCRIPTION}"),
    ev("cmsgpack.pack = nil"),
    ev("return #cmsgpack.unpack(string.rep('\\145', 100000))"),
    ev("return #cmsgpack.unpack(string.rep('\\222', 100000))"),
    ev("return #cmsgpack.unpack(string.rep('\\129\\001', 50000))"),
]

SHEBANG = [
    ("EVAL_RO", "return redis.call('set', 'a', 'b')", "0"),
    ("EVAL_RO", "return redis.call('get', 'a')", "0"),
    ("EVAL_RO", "return redis.pcall('set', 'a', 'b')", "0"),
    ev("#!lua flags=no-writes\nreturn redis.call('set', 'a', 'b')"),
    ev("#!lua flags=no-writes\nreturn redis.call('get', 'a')"),
    ev("#!lua flags=bad\nreturn 1"),
    ev("#!lua name=x\nreturn 1"),
    ev("#!luax\nreturn 1"),
    ev("#!lua\nreturn 1"),
    ev("#!lua flags=no-writes,allow-oom\nreturn 1"),
    ev("#!lua flags=\nreturn 1"),
    ev("#!lua   flags=no-writes   \nreturn 1"),
    ev("#!lua flags=no-writes flags=allow-stale\nreturn 1"),
    ev("#!lua flags=allow-stale,no-cluster,allow-cross-slot-keys\nreturn 2"),
    ev("#!lua flags=no-writes,,allow-oom\nreturn 1"),
    ev("#!lua"),
    ev("#!lua flags=no-writes\nerror('x')"),
    ev("#!lua\n\nerror('x')"),
    ev("#!python\nreturn 1"),
    ev("#! lua\nreturn 1"),
]

SCRIPT_CMDS = [
    ("SCRIPT", "FLUSH"),
    ("SCRIPT", "LOAD", "return 1"),
    ("SCRIPT", "EXISTS", SHA_RETURN_1, "abc", SHA_RETURN_1.upper()),
    ("EVALSHA", SHA_RETURN_1, "0"),
    ("EVALSHA", SHA_RETURN_1.upper(), "0"),
    ("EVALSHA_RO", SHA_RETURN_1, "0"),
    ("SCRIPT", "FLUSH"),
    ("SCRIPT", "EXISTS", SHA_RETURN_1),
    ("EVALSHA", SHA_RETURN_1, "0"),
    ev("return 1"),
    ("SCRIPT", "EXISTS", SHA_RETURN_1),
    ("EVALSHA", SHA_RETURN_1, "0"),
    ("SCRIPT", "FLUSH", "ASYNC"),
    ("SCRIPT", "FLUSH", "sync"),
    ("SCRIPT", "FLUSH", "x"),
    ("SCRIPT", "FLUSH", "sync", "async"),
    ("SCRIPT",),
    ("SCRIPT", "HELP"),
    ("SCRIPT", "NOPE"),
    ("SCRIPT", "LOAD", "retur"),
    ("SCRIPT", "LOAD", "#!lua flags=bad\nreturn 1"),
    ("SCRIPT", "LOAD", "#!lua flags=no-writes\nreturn redis.call('set', 'a', 'b')"),
    ("SCRIPT", "KILL"),
    ("SCRIPT", "DEBUG", "no"),
    ("SCRIPT", "EXISTS"),
    ("SCRIPT", "LOAD"),
    ("EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8d", "0"),
]

TYPES = [
    ev("redis.call('del', 'str', 'lst', 'hsh', 'st', 'zs') "
       "redis.call('set', 'str', 'v', 'EX', 100) "
       "redis.call('rpush', 'lst', 'a', 'b', 'c') "
       "redis.call('hset', 'hsh', 'f1', 'v1', 'f2', 'v2') "
       "redis.call('sadd', 'st', 'm1') "
       "redis.call('zadd', 'zs', 1, 'a', 2, 'b') "
       "return {redis.call('type', 'str')['ok'], redis.call('type', 'lst')['ok'],"
       " redis.call('type', 'hsh')['ok'], redis.call('type', 'st')['ok'],"
       " redis.call('type', 'zs')['ok']}"),
    ev("return redis.call('lrange', 'lst', 0, -1)"),
    ev("return redis.call('lpop', 'lst')"),
    ev("return redis.call('hget', 'hsh', 'f1')"),
    ev("return redis.call('hgetall', 'hsh')"),
    ev("return redis.call('hincrby', 'hsh', 'n', 5)"),
    ev("return redis.call('smembers', 'st')"),
    ev("return redis.call('sismember', 'st', 'm1')"),
    ev("return redis.call('zrange', 'zs', 0, -1, 'WITHSCORES')"),
    ev("return redis.call('zincrby', 'zs', 2.5, 'a')"),
    ev("return redis.call('zpopmin', 'zs')"),
    ev("return redis.call('ttl', 'str') > 0"),
    ev("return redis.call('expire', 'str', 0)"),
    ev("return redis.call('exists', 'str')"),
    ev("return redis.call('get', 'lst')"),
    ev("return redis.pcall('get', 'lst')"),
    ev("return redis.call('rename', 'hsh', 'hsh2')"),
    ev("return redis.call('hlen', 'hsh2')"),
    ev("return redis.call('select', 1)"),
    ev("redis.call('select', 1) redis.call('set', 'indb1', 'x') "
       "return redis.call('exists', 'indb1')"),
    ("GET", "indb1"),
    ("SELECT", "1"),
    ("GET", "indb1"),
    ("DEL", "indb1"),
    ("SELECT", "0"),
    ev("return redis.call('keys', 'zs')"),
    ev("return redis.call('dbsize')"),
    ev("return redis.call('object', 'encoding', 'st')"),
    ev("return redis.call('sort', 'lst', 'ALPHA')"),
    ev("return redis.call('blmpop', '0', '1', 'nolist', 'left')"),
    ev("return redis.call('publish', 'ch', 'm')"),
    ev("return redis.call('time')[1] ~= nil"),
    # A keyless command restarts the run holding every lock: a pcall or a
    # coroutine that caught the restart does not change the result.
    ev("local ok, r = pcall(redis.call, 'keys', 'nomatch*') "
       "return {ok, #r}"),
    ev("local co = coroutine.create(function() "
       "return redis.call('keys', 'nomatch*') end) "
       "local ok, r = coroutine.resume(co) redis.call('set', 'after', '1') "
       "return {ok, #r, redis.call('get', 'after')}"),
    ev("redis.call('set', KEYS[1], 'v') redis.call('set', 'undeclared', 'w') "
       "local n = #redis.call('keys', '*') "
       "return {n, redis.call('get', KEYS[1]), redis.call('get', 'undeclared')}",
       "declared"),
    ev("return redis.call('flushdb')"),
    ev("return redis.call('dbsize')"),
]


def check(server, real_redis, proto, steps):  # noqa: F811
    ours = fresh_raw(server.port, proto)
    theirs = fresh_raw(real_redis.port, proto)
    bad = compare_script(ours, theirs, steps)
    assert not bad, "\n".join("%r: shale %r, redis %r" % x for x in bad)


@pytest.mark.parametrize("proto", [2, 3])
def test_conversions_match_redis(server, real_redis, proto):  # noqa: F811
    check(server, real_redis, proto, CONVERSIONS)


@pytest.mark.parametrize("proto", [2, 3])
def test_errors_match_redis(server, real_redis, proto):  # noqa: F811
    check(server, real_redis, proto, ERRORS)


@pytest.mark.parametrize("proto", [2, 3])
def test_sandbox_matches_redis(server, real_redis, proto):  # noqa: F811
    check(server, real_redis, proto, SANDBOX)


@pytest.mark.parametrize("proto", [2, 3])
def test_cmsgpack_matches_redis(server, real_redis, proto):  # noqa: F811
    check(server, real_redis, proto, CMSGPACK)


@pytest.mark.parametrize("proto", [2, 3])
def test_shebang_and_read_only_match_redis(server, real_redis,  # noqa: F811
                                           proto):
    check(server, real_redis, proto, SHEBANG)


@pytest.mark.parametrize("proto", [2, 3])
def test_script_subcommands_match_redis(server, real_redis,  # noqa: F811
                                        proto):
    check(server, real_redis, proto, SCRIPT_CMDS)


@pytest.mark.parametrize("proto", [2, 3])
def test_scripts_on_every_type_match_redis(server, real_redis,  # noqa: F811
                                           proto):
    check(server, real_redis, proto, TYPES)


@pytest.mark.parametrize("proto", [2, 3])
def test_self_referencing_table_matches_redis(server, real_redis,  # noqa: F811
                                              proto):
    """A table that holds itself: arrays nested as deep as Lua's stack
    allows, then an error, the same depth as Redis's."""
    import socket
    from resp_raw import encode

    def raw(port):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        if proto == 3:
            s.sendall(encode("HELLO", "3"))
        s.sendall(encode("EVAL", "local t = {} t[1] = t return t", "0"))
        buf = b""
        while not buf.endswith(b"-ERR reached lua stack limit\r\n"):
            chunk = s.recv(65536)
            assert chunk, buf[-200:]
            buf += chunk
        s.close()
        return buf[buf.index(b"*1\r\n"):]

    ours, theirs = raw(server.port), raw(real_redis.port)
    assert ours == theirs
    assert ours.count(b"*1\r\n") > 100


def test_math_random_sequence_matches_redis(server, real_redis):  # noqa: F811
    """One rand48 sequence for the server, seeded as Redis's; randomseed
    restarts it."""
    steps = [ev("math.randomseed(7) return {math.random(1000), "
                "math.random(5, 10), tostring(math.random())}"),
             ev("return math.random(1000)"),
             ev("return math.random(0)"),
             ev("return math.random(1, 2, 3)")]
    check(server, real_redis, 2, steps)


SCRIPT_EVENTS = [
    ev("redis.call('set', KEYS[1], 'v') redis.call('incr', KEYS[2]) "
       "redis.call('rpush', KEYS[3], 'a', 'b') redis.call('lpop', KEYS[3]) "
       "redis.call('hset', 'undeclared', 'f', 'v') redis.call('del', KEYS[1])",
       "k", "n", "l"),
    ev("redis.call('expire', 'n', 100) redis.call('persist', 'n') "
       "return redis.call('get', 'nokey')"),
    ev("redis.call('set', 'x', 1) error('after a write')"),
    ev("redis.call('sadd', 's', 'a') redis.call('zadd', 'z', 1, 'm') "
       "redis.call('flushdb')"),
]


@pytest.mark.parametrize("flags", ["KEA", "Kg$lh"])
def test_script_events_match_redis(server, real_redis, flags):  # noqa: F811
    """A script's writes publish the events of its commands, in order; a
    script that fails after a write publishes that write's events (Redis
    cannot undo it; shale commits what ran before the error, as Redis)."""
    from test_keyspace_events import run_sequence
    theirs = run_sequence(real_redis.port, flags, SCRIPT_EVENTS)
    ours = run_sequence(server.port, flags, SCRIPT_EVENTS)
    assert ours == theirs
    assert len(theirs["events"]) > 8


def test_script_in_multi_matches_redis(server, real_redis):  # noqa: F811
    steps = [("MULTI",), ("SET", "a", "1"),
             ev("return redis.call('incr', 'a')"),
             ("EVALSHA", "0" * 40, "0"),
             ev("return redis.call('get', KEYS[1])", "a"),
             ("EXEC",), ("GET", "a")]
    check(server, real_redis, 2, steps)


def test_cmsgpack_random_input_matches_redis(server, real_redis):  # noqa: F811
    """Random MessagePack-like bytes through unpack, unpack_limit,
    unpack_one and back through pack: the same values or errors as Redis
    (the error's script position aside: the scripts are the same)."""
    import random
    seed = random.randrange(1 << 30)
    print("seed", seed)
    rng = random.Random(seed)
    ours = fresh_raw(server.port, 2)
    theirs = fresh_raw(real_redis.port, 2)
    heads = [0x90, 0x91, 0x92, 0x80, 0x81, 0xa1, 0xa3, 0xd9, 0xda, 0xdb, 0xdc,
             0xdd, 0xde, 0xdf, 0xc0, 0xc2, 0xc3, 0xca, 0xcb, 0xcc, 0xcd, 0xce,
             0xcf, 0xd0, 0xd1, 0xd2, 0xd3, 0x01, 0x7f, 0xff, 0xe0, 0xc1, 0xc4,
             0x00]
    scripts = ["return {cmsgpack.unpack(ARGV[1])}",
               "return {cmsgpack.unpack_limit(ARGV[1], 2, 1)}",
               "return cmsgpack.pack(cmsgpack.unpack_one(ARGV[1]))",
               "return cmsgpack.pack({cmsgpack.unpack(ARGV[1])})"]
    bad = []
    for _ in range(600):
        data = bytes(rng.choice(heads) if rng.random() < 0.7
                     else rng.randrange(256)
                     for _ in range(rng.randint(0, 24)))
        step = ("EVAL", rng.choice(scripts), "0", data)
        a, b = ours.call(*step), theirs.call(*step)
        if a != b:
            bad.append((step, a, b))
    assert not bad, "seed %d: %r" % (seed, bad[:3])


STRUCT_FORMATS = ["<", ">", "!", "!4", "!2", "!16", "!3", " ", "x", "b", "B",
                  "h", "H", "l", "L", "T", "i", "I", "i1", "I3", "i8", "i12",
                  "I16", "i33", "f", "d", "c", "c0", "c3", "s", "q", "i0"]
STRUCT_VALUES = ["0", "1", "-1", "255", "-129", "65536", "-2^31", "2^32",
                 "2^63", "-2^63", "2^64", "1e30", "-1e30", "0.5", "-0.5",
                 "1/0", "0/0", "'abc'", "'12'", "''", "'x\\0y'"]


def test_struct_matches_redis(server, real_redis):  # noqa: F811
    """struct.pack / unpack / size over random formats and values (and
    random bytes to unpack): the same bytes, values and errors as Redis."""
    import random
    seed = random.randrange(1 << 30)
    print("seed", seed)
    rng = random.Random(seed)
    ours = fresh_raw(server.port, 2)
    theirs = fresh_raw(real_redis.port, 2)
    steps = [ev("return {struct.size('>iIhHbBlLdfx c5 T i16')}"),
             ev("return {struct.unpack('>i2', struct.pack('>i2', -2))}"),
             ev("return struct.pack('i99999999999', 1)")]
    for _ in range(300):
        fmt = "".join(rng.choice(STRUCT_FORMATS)
                      for _ in range(rng.randint(0, 5)))
        vals = ", ".join(rng.choice(STRUCT_VALUES) for _ in range(6))
        data = bytes(rng.randrange(256) for _ in range(rng.randint(0, 20)))
        steps += [
            ev("return struct.pack('%s', %s)" % (fmt, vals)),
            ev("return {struct.unpack('%s', struct.pack('%s', %s))}"
               % (fmt, fmt, vals)),
            ev("return {struct.unpack('%s', ARGV[1], %d)}"
               % (fmt, rng.choice([1, 1, 2, 5, 0, -1, 30])), data, nkeys=0),
            ev("return struct.size('%s')" % fmt)]
    bad = compare_script(ours, theirs, steps)
    assert not bad, "seed %d: %r" % (seed, bad[:3])
