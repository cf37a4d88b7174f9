"""Lua scripts as only shale can show them: a script's write breaks WATCH,
scripts are atomic and isolated against other clients on other threads,
runaway scripts are stopped by time and memory bounds, bad scripts get
errors, SCRIPT KILL from another connection, redis-py's Lock, INFO's
script counters. test_resp_scripting.py compares scripts with Redis."""
import threading

import pytest

from conftest import wait_for


def test_script_write_breaks_watch(server, r):
    """A script's write of a watched key aborts the watcher's EXEC."""
    other = server.redis()
    r.set("w", "1")
    p = r.pipeline()
    p.watch("w")
    other.eval("redis.call('incr', 'w')", 0)
    p.multi()
    p.set("w", "x")
    import redis
    with pytest.raises(redis.WatchError):
        p.execute()
    assert r.get("w") == b"2"
    # A script that only reads does not.
    p = r.pipeline()
    p.watch("w")
    other.eval("return redis.call('get', 'w')", 0)
    p.multi()
    p.set("w", "y")
    assert p.execute() == [True]
    other.close()


def _race(server, script, keys, n_threads, per_thread, extra=None):
    """n_threads clients each run script per_thread times (and `extra`, a
    callable given a client, as often) at once."""
    errors = []

    def worker():
        c = server.redis()
        try:
            for _ in range(per_thread):
                c.eval(script, len(keys), *keys)
                if extra is not None:
                    extra(c)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            c.close()

    threads = [threading.Thread(target=worker) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


# A read-modify-write with a busy loop between the read and the write: any
# command of another client on the key in between would lose an increment.
SLOW_RMW = ("local v = tonumber(redis.call('get', KEYS[1]) or '0') "
            "for i = 1, 20000 do end "
            "redis.call('set', KEYS[1], v + 1)")
# The same on a key the script does not declare (locked as it is reached).
SLOW_RMW_UNDECLARED = SLOW_RMW.replace("KEYS[1]", "'undeclared'")
# The same, after a command with no key (KEYS): the run holds every stripe.
SLOW_RMW_ALL = "redis.call('keys', 'nomatch*') " + SLOW_RMW


@pytest.mark.parametrize("script", [SLOW_RMW, SLOW_RMW_UNDECLARED,
                                    SLOW_RMW_ALL])
def test_scripts_are_atomic(server, r, script):
    """4 clients run the slow read-modify-write script while 4 others
    INCR the same key (and SET/GET others): no increment is lost."""
    key = "undeclared" if "undeclared" in script else "ctr"

    def incr(c):
        c.incr(key)
        c.set("other", "x")

    _race(server, script, [key] if key == "ctr" else ["ctr"], 4, 150)
    _race(server, script, [key] if key == "ctr" else ["ctr"], 4, 100,
          extra=incr)
    assert int(r.get(key)) == 4 * 150 + 4 * 100 * 2


def test_script_reads_are_isolated(server, r):
    """A script reading two keys twice, with a loop between, always sees
    them equal while other clients MSET both at once."""
    r.mset({"a": 0, "b": 0})
    stop = threading.Event()

    def writer():
        c = server.redis()
        i = 0
        while not stop.is_set():
            i += 1
            c.mset({"a": i, "b": i})
        c.close()

    t = threading.Thread(target=writer)
    t.start()
    try:
        for _ in range(200):
            # Neither key declared: each is locked as the script reaches
            # it.
            got = r.eval("local a = redis.call('get', 'a') "
                         "for i = 1, 5000 do end "
                         "local b = redis.call('get', 'b') "
                         "return a == b and 1 or 0", 0)
            assert got == 1
    finally:
        stop.set()
        t.join()


def test_runaway_script_is_stopped(server, r):
    """A script past busy-reply-threshold fails with an error, its writes
    dropped, even if it catches errors with pcall; other clients are served
    meanwhile; the server stays up."""
    r.config_set("busy-reply-threshold", "300")
    try:
        import redis
        other = server.redis()
        done = threading.Event()
        pings = []

        def ping_while_running():
            while not done.is_set():
                pings.append(other.ping())

        t = threading.Thread(target=ping_while_running)
        t.start()
        try:
            with pytest.raises(redis.ResponseError) as e:
                r.eval("redis.call('set', 'runaway', 'x') while true do end",
                       0)
            assert "busy-reply-threshold" in str(e.value)
            assert "script: " in str(e.value)
        finally:
            done.set()
            t.join()
        assert pings and all(pings)
        assert r.get("runaway") is None
        with pytest.raises(redis.ResponseError) as e:
            r.eval("while true do pcall(function() while true do end end) "
                   "end", 0)
        assert "busy-reply-threshold" in str(e.value)
        assert r.eval("return 7", 0) == 7
        other.close()
    finally:
        r.config_set("busy-reply-threshold", "5000")


def test_script_memory_is_bounded(server, r):
    """A script allocating without end fails with Lua's out-of-memory
    error; the server stays up and the next script runs."""
    import redis
    with pytest.raises(redis.ResponseError) as e:
        r.eval("local t = {} for i = 1, 1e9 do t[i] = i end", 0)
    assert "not enough memory" in str(e.value)
    with pytest.raises(redis.ResponseError) as e:
        r.eval("return string.rep('x', 2^30)", 0)
    assert "memory" in str(e.value) or "string length" in str(e.value)
    assert r.eval("return 'alive'", 0) == b"alive"


def test_bad_scripts_get_errors(server, r):
    """Syntax errors, huge scripts, deep recursion, huge replies: errors or
    replies, never a crash."""
    import redis
    with pytest.raises(redis.ResponseError) as e:
        r.eval("return " + "(" * 300 + "1" + ")" * 300, 0)
    assert "Error compiling script" in str(e.value)
    big = "return 1 -- " + "x" * (8 << 20)
    assert r.eval(big, 0) == 1
    assert r.eval("local t = {} for i = 1, 200000 do t[i] = i end "
                  "return t", 0)[-1] == 200000
    with pytest.raises(redis.ResponseError):
        r.eval("local function f() return f() + 1 end return f()", 0)
    with pytest.raises(redis.ResponseError):
        r.eval("return " + "{" * 100000 + "}" * 100000, 0)
    assert r.ping()


def test_redis_py_lock(server):
    """redis-py's Lock (EVALSHA compare-and-delete / extend scripts): 4
    threads increment a counter under it, never two holders at once;
    extend; LockNotOwnedError once the lock expired."""
    import redis
    from redis.exceptions import LockNotOwnedError
    c0 = server.redis()
    c0.flushall()
    holders = []
    max_holders = []
    errors = []

    def worker():
        c = server.redis()
        try:
            for _ in range(25):
                with c.lock("res", timeout=10, blocking_timeout=30):
                    holders.append(1)
                    max_holders.append(len(holders))
                    v = int(c.get("counter") or 0)
                    c.set("counter", v + 1)
                    holders.pop()
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            c.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert int(c0.get("counter")) == 100
    assert max(max_holders) == 1
    lock = c0.lock("res2", timeout=1)
    assert lock.acquire(blocking=False)
    assert lock.extend(5)
    assert c0.pttl("res2") > 4000
    assert lock.reacquire()
    lock2 = c0.lock("res3", timeout=0.05)
    assert lock2.acquire(blocking=False)
    # The key expires (a read or the expirer deletes it).
    wait_for(lambda: not c0.exists("res3"), 10, "res3 expiry")
    with pytest.raises(LockNotOwnedError):
        lock2.extend(1)
    with pytest.raises(LockNotOwnedError):
        lock2.release()
    assert lock.locked()
    lock.release()
    assert not lock.locked()
    c0.close()
    assert isinstance(redis.__version__, str)


def test_info_counts_scripts(server, r):
    """INFO memory: the cached scripts, their bytes, the interpreters'
    memory (after a script ran)."""
    r.script_flush()
    assert r.info("memory")["number_of_cached_scripts"] == 0
    r.script_load("return 1")
    r.eval("return 2", 0)
    info = r.info("memory")
    assert info["number_of_cached_scripts"] == 2
    assert info["used_memory_scripts_eval"] == len("return 1return 2")
    assert info["used_memory_lua"] > 10000
    r.script_flush()
    assert r.info("memory")["number_of_cached_scripts"] == 0


def test_script_kill(server, r):
    """SCRIPT KILL from another client stops a script that has not written
    (Redis 7.0's error, position included), answers UNKILLABLE for one
    that has, NOTBUSY when none runs."""
    import hashlib
    import redis
    # A script runs on its client's I/O thread, which serves nothing else
    # meanwhile: SCRIPT KILL must come from a connection on another thread.
    # Connections are dealt to the threads in turn, so of four opened one
    # after the other at least one is elsewhere; one whose SCRIPT KILL
    # times out is on the busy thread and is tried again on a new socket.
    killers = []

    def new_killers():
        for k in killers:
            k.close()
        killers[:] = [redis.Redis(host="127.0.0.1", port=server.port,
                                  socket_timeout=0.5) for _ in range(4)]
        for k in killers:
            k.ping()

    new_killers()
    r.config_set("busy-reply-threshold", "0")
    body = "local i = 0 while true do i = i + 1 end"
    result = {}

    def run(script, keys):
        try:
            result["reply"] = r.eval(script, len(keys), *keys)
        except redis.ResponseError as e:
            result["error"] = str(e)

    def kill_answer():
        for k in list(killers):
            try:
                answer = k.script_kill()
            except redis.ResponseError as e:
                answer = str(e)
            except (redis.TimeoutError, redis.ConnectionError):
                continue
            # It reached a free thread: ask it first next time.
            killers.remove(k)
            killers.insert(0, k)
            return answer
        return None

    try:
        t = threading.Thread(target=run, args=(body, []))
        t.start()
        wait_for(lambda: kill_answer() is True, 10, "SCRIPT KILL")
        t.join()
        sha = hashlib.sha1(body.encode()).hexdigest()
        assert result == {"error": "Script killed by user with SCRIPT KILL... "
                                   "script: %s, on @user_script:1." % sha}
        assert kill_answer() == "NOTBUSY No scripts in execution right now."
        # Once it wrote, it cannot be killed (it ends at the time limit).
        # A SCRIPT KILL that lands between the script's start and its SET
        # kills it (it had not written yet); then it runs again.
        r.config_set("busy-reply-threshold", "5000")
        new_killers()
        writer = "redis.call('set', KEYS[1], 'w') while true do end"
        answer = None
        for _ in range(5):
            result.clear()
            t = threading.Thread(target=run, args=(writer, ["kw"]))
            t.start()
            answers = []

            def busy_answer():
                a = kill_answer()
                if a in (None, "NOTBUSY No scripts in execution right now."):
                    return False
                answers.append(a)
                return True

            wait_for(busy_answer, 10, "SCRIPT KILL's answer")
            answer = answers[0]
            t.join()
            if answer is not True:
                break
            assert result["error"].startswith(
                "Script killed by user with SCRIPT KILL...")
        assert "Sorry the script already executed write" in str(answer)
        assert "busy-reply-threshold" in result["error"]
        assert r.get("kw") is None
    finally:
        r.config_set("busy-reply-threshold", "5000")
        for k in killers:
            k.close()
