"""Scripts: EVAL EVALSHA EVAL_RO EVALSHA_RO SCRIPT LOAD|EXISTS, and
functions: FCALL FCALL_RO FUNCTION LOAD|DELETE|LIST|STATS. A fixed set
of scripts of the kinds applications run (a rate limiter, a lock's
compare-and-delete, a queue's pop by score, reads and writes of every type,
errors raised and caught, RESP3 conversions) with KEYS and ARGV drawn from
the shared pools, so scripts meet the other families' keys (WRONGTYPE
inside scripts) and values (non-numbers where numbers are expected).
Scripts return nothing whose order differs by design (no HGETALL or
SMEMBERS results). The functions are two fixed libraries loaded by the
reset (LIST shows only the one-function library: Redis lists a library's
functions in its hash table's order)."""
from gen import Cmd, Family

SCRIPTS = [
    # A rate limiter (INCR, then an expiry on the first hit).
    "local v = redis.call('incr', KEYS[1]) "
    "if v == 1 then redis.call('pexpire', KEYS[1], 100000) end return v",
    # redis-py Lock's release: compare and delete.
    "if redis.call('get', KEYS[1]) == ARGV[1] then "
    "return redis.call('del', KEYS[1]) else return 0 end",
    # A lock's acquire.
    "return redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', 100000)",
    # A queue's pop by score (Sidekiq's scheduler).
    "local r = redis.call('zrangebyscore', KEYS[1], '-inf', ARGV[1], "
    "'LIMIT', 0, 1) if r[1] then redis.call('zrem', KEYS[1], r[1]) end "
    "return r",
    "return {KEYS[1], ARGV[1], redis.call('exists', KEYS[1]), "
    "redis.pcall('incr', KEYS[1])}",
    "return redis.call('type', KEYS[1])",
    "redis.call('rpush', KEYS[1], ARGV[1]) "
    "return redis.call('lrange', KEYS[1], 0, 2)",
    "redis.call('hset', KEYS[1], 'f', ARGV[1]) "
    "return redis.call('hget', KEYS[1], 'f')",
    "redis.call('sadd', KEYS[1], ARGV[1]) return redis.call('scard', KEYS[1])",
    "return redis.call('zadd', KEYS[1], ARGV[1], 'm')",
    "redis.setresp(3) return redis.call('zscore', KEYS[1], 'm')",
    "redis.setresp(3) return {redis.call('get', KEYS[1]), "
    "redis.call('exists', KEYS[1]) == 1}",
    "return redis.call('incr', KEYS[1])",
    "return redis.pcall('lpush', KEYS[1], ARGV[1])",
    "local x = ARGV[1] + 1 return x",
    "return tonumber(ARGV[1])",
    "return redis.call('append', KEYS[1], ARGV[1])",
    "return redis.call('getdel', KEYS[1])",
    "redis.call('set', KEYS[1], ARGV[1]) error('after a write')",
    "return {err = ARGV[1]}",
    "return redis.status_reply(ARGV[1])",
    "local ok, e = pcall(redis.call, 'incr', KEYS[1]) return {ok, e}",
    "return redis.call('copy', KEYS[1], KEYS[2])",
    "return redis.call('lmove', KEYS[1], KEYS[2], 'LEFT', 'RIGHT')",
    # MessagePack, as BullMQ's scripts use it.
    "return cmsgpack.pack(ARGV[1], tonumber(ARGV[1]), {ARGV[1], 1.5})",
    "return {cmsgpack.unpack(ARGV[1])}",
    "return {cmsgpack.unpack_one(ARGV[1])}",
    "return {struct.unpack('>I2c0', ARGV[1])}",
    "return struct.pack('<i4dc0s', tonumber(ARGV[1]) or 0, 1.5, ARGV[1], "
    "ARGV[1])",
    "#!lua flags=no-writes\nreturn redis.call('get', KEYS[1])",
    "#!lua flags=no-writes\nreturn redis.call('del', KEYS[1])",
]

LOADED = SCRIPTS[:4]


def eval_args(g):
    script = g.choice(SCRIPTS).encode()
    nkeys = g.choice([1, 1, 1, 2, 0])
    keys = [g.key() for _ in range(nkeys)]
    args = [g.value() for _ in range(g.randint(0, 2))]
    if g.chance(0.05):
        return [script, g.choice([b"-1", b"9", b"x"])] + keys + args
    return [script, str(nkeys).encode()] + keys + args


def evalsha_args(g):
    import hashlib
    sha = hashlib.sha1(g.choice(LOADED).encode()).hexdigest()
    if g.chance(0.2):
        sha = sha.upper()
    return [sha.encode(), b"1", g.key(), g.value()]


# Function libraries: FUNCTIONS' bodies as functions of (keys, args).
FUNCTIONS = {
    "c_incr": "return redis.call('incr', keys[1])",
    "c_cad": "if redis.call('get', keys[1]) == args[1] then "
             "return redis.call('del', keys[1]) else return 0 end",
    "c_echo": "return {keys[1], args[1], #keys, #args}",
    "c_rpush": "redis.call('rpush', keys[1], args[1]) "
               "return redis.call('lrange', keys[1], 0, 2)",
    "c_err": "redis.call('set', keys[1], args[1]) error('after a write')",
    "c_pcall": "return redis.pcall('incr', keys[1])",
    "c_resp3": "redis.setresp(3) return {redis.call('get', keys[1]), "
               "redis.call('exists', keys[1]) == 1}",
}
RO_FUNCTIONS = {
    "c_get": "return redis.call('get', keys[1])",
    "c_ro_del": "return redis.call('del', keys[1])",
}


def library():
    lines = ["#!lua name=compat"]
    for name, body in FUNCTIONS.items():
        lines.append("redis.register_function('%s', function(keys, args) "
                     "%s end)" % (name, body))
    for name, body in RO_FUNCTIONS.items():
        lines.append("redis.register_function{function_name='%s', "
                     "flags={'no-writes'}, callback=function(keys, args) "
                     "%s end}" % (name, body))
    return "\n".join(lines).encode()


LIBRARY = library()
SMALL = (b"#!lua name=compat2\nredis.register_function{function_name="
         b"'c_type', description='type', callback=function(keys) "
         b"return redis.call('type', keys[1]) end}")
ALL_FUNCTIONS = list(FUNCTIONS) + list(RO_FUNCTIONS) + ["c_type", "nosuch"]


def fcall_args(g):
    name = g.choice(ALL_FUNCTIONS).encode()
    nkeys = g.choice([1, 1, 1, 2, 0])
    keys = [g.key() for _ in range(nkeys)]
    args = [g.value() for _ in range(g.randint(0, 2))]
    if g.chance(0.05):
        return [name, g.choice([b"-1", b"9", b"x"])] + keys + args
    return [name, str(nkeys).encode()] + keys + args


FAMILY = Family("scripting", [
    Cmd("EVAL", eval_args, weight=8),
    Cmd("EVAL_RO", eval_args, weight=1),
    Cmd("EVALSHA", evalsha_args, weight=3),
    Cmd("EVALSHA_RO", evalsha_args, weight=0.5),
    Cmd("SCRIPT", lambda g: [g.case("LOAD"), g.choice(LOADED).encode()],
        weight=1),
    Cmd("SCRIPT", lambda g: [g.case("EXISTS")] + [
        __import__("hashlib").sha1(s.encode()).hexdigest().encode()
        for s in LOADED], weight=0.5),
    Cmd("FCALL", fcall_args, weight=6),
    Cmd("FCALL_RO", fcall_args, weight=2),
    Cmd("FUNCTION", lambda g: [g.case("LOAD"), g.case("REPLACE"), LIBRARY],
        weight=0.3),
    Cmd("FUNCTION", lambda g: [g.case("LOAD"), SMALL], weight=0.3),
    Cmd("FUNCTION", lambda g: [g.case("DELETE"), b"compat2"], weight=0.3),
    Cmd("FUNCTION", lambda g: [g.case("LIST"), g.case("LIBRARYNAME"),
                               b"compat2", g.case("WITHCODE")], weight=0.3,
        mangle=False),
    Cmd("FUNCTION", lambda g: [g.case("STATS")], weight=0.2),
], weight=1.0, reset=[[b"SCRIPT", b"FLUSH"], [b"FUNCTION", b"FLUSH"],
                      [b"FUNCTION", b"LOAD", LIBRARY],
                      [b"FUNCTION", b"LOAD", SMALL]])
