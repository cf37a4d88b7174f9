"""Durability: acknowledged writes survive SIGKILL; SIGTERM shuts down
cleanly and a restart recovers everything.

SIGKILL kills the process, not the machine: what reached the OS survives
either way, so these tests check that nothing is acknowledged before it
reaches the engine's WAL. What each fsync policy adds against power loss is
the engine's SyncWAL / sync writes (docs/server.md)."""
import random
import signal
import threading
import time

import pytest

from conftest import ShaleServer, wait_for


def load_until_killed(srv, writers=8, min_acked=2000):
    """Writers SET distinct keys until SIGKILL; returns {key: value} acked."""
    acked = {}
    lock = threading.Lock()
    stop = threading.Event()
    seed = random.randrange(1 << 30)
    print("seed", seed)

    def writer(w):
        rnd = random.Random(seed + w)
        r = srv.redis()
        i = 0
        while not stop.is_set():
            k = "w%d:%d" % (w, i)
            v = "%d" % rnd.randrange(1 << 40)
            try:
                r.set(k, v)
            except Exception:
                return  # the server died mid-request: not acknowledged
            with lock:
                acked[k] = v
            i += 1

    ts = [threading.Thread(target=writer, args=(w,)) for w in range(writers)]
    for t in ts:
        t.start()
    wait_for(lambda: len(acked) >= min_acked, 60, "load")
    srv.kill()
    stop.set()
    for t in ts:
        t.join(30)
    return acked


@pytest.mark.parametrize("policy", ["always", "everysec"])
def test_sigkill_loses_no_acknowledged_write(tmp_path, policy):
    srv = ShaleServer(str(tmp_path), args=["--fsync", policy]).start()
    try:
        acked = load_until_killed(srv)
        srv.start()
        r = srv.redis()
        keys = list(acked)
        got = []
        for i in range(0, len(keys), 500):
            got.extend(r.mget(keys[i:i + 500]))
        missing = [k for k, g in zip(keys, got)
                   if g is None or g.decode() != acked[k]]
        assert not missing, "%d acknowledged writes lost, e.g. %s" % (
            len(missing), missing[:5])
    finally:
        srv.cleanup()


def test_sigterm_clean_shutdown_and_restart(tmp_path):
    srv = ShaleServer(str(tmp_path)).start()
    try:
        r = srv.redis()
        r.mset({"k%d" % i: i for i in range(5000)})
        r.set("ttl", "v", ex=1000)
        assert srv.stop(signal.SIGTERM) == 0
        assert "shale-server stopped" in srv.log()
        srv.start()
        r = srv.redis()
        assert r.dbsize() == 5001
        assert r.get("k4999") == b"4999"
        assert 990 <= r.ttl("ttl") <= 1000
        assert srv.stop(signal.SIGINT) == 0
    finally:
        srv.cleanup()


def test_sigterm_while_clients_are_busy(tmp_path):
    srv = ShaleServer(str(tmp_path)).start()
    stop = threading.Event()

    def busy():
        r = srv.redis()
        while not stop.is_set():
            try:
                r.incr("busy")
            except Exception:
                return

    ts = [threading.Thread(target=busy) for _ in range(4)]
    try:
        for t in ts:
            t.start()
        wait_for(lambda: int(srv.redis().get("busy") or 0) > 100, 30, "load")
        t0 = time.monotonic()
        assert srv.stop(signal.SIGTERM) == 0
        assert time.monotonic() - t0 < 15
    finally:
        stop.set()
        for t in ts:
            t.join(30)
        srv.cleanup()


def test_sigkill_during_zadd_flood_keeps_sorted_sets_whole(tmp_path):
    """kill -9 during a flood of ZADD/ZINCRBY/ZREM (--fsync always): every
    acknowledged member is there with its score, and each set's count,
    its members (ZSCAN: member entries) and its ranks (ZRANGE: the score
    index) agree."""
    srv = ShaleServer(str(tmp_path), args=["--fsync", "always"]).start()
    try:
        model = {}  # (key, member) -> score, or None once removed
        uncertain = set()  # members of a request the kill cut off
        lock = threading.Lock()
        stop = threading.Event()
        seed = random.randrange(1 << 30)
        print("seed", seed)

        def writer(w):
            rnd = random.Random(seed + w)
            r = srv.redis()
            key = "z%d" % (w % 4)  # two writers per key: distinct members
            i = 0
            while not stop.is_set():
                m = "w%d:%d" % (w, rnd.randrange(max(1, i)))
                op = rnd.randrange(6)
                try:
                    if op == 0:
                        r.zrem(key, m)
                        s = None
                    elif op == 1:
                        s = r.zincrby(key, 1, m)
                    else:
                        m = "w%d:%d" % (w, i)
                        s = float(rnd.randrange(-50, 50))
                        r.zadd(key, {m: s})
                        i += 1
                except Exception:
                    # The server died mid-request: it may or may not have
                    # applied it.
                    with lock:
                        uncertain.add((key, m))
                    return
                with lock:
                    model[(key, m)] = s

        ts = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
        for t in ts:
            t.start()
        wait_for(lambda: len(model) >= 2000, 60, "load")
        srv.kill()
        stop.set()
        for t in ts:
            t.join(30)
        srv.start()
        r = srv.redis()
        for k in ("z0", "z1", "z2", "z3"):
            ranked = r.zrange(k, 0, -1, withscores=True)
            scanned = dict(r.zscan_iter(k))
            assert r.zcard(k) == len(ranked) == len(scanned), k
            assert dict(ranked) == scanned, k
            assert [s for _, s in ranked] == sorted(s for _, s in ranked)
        for (k, m), s in model.items():
            if (k, m) in uncertain:
                continue
            got = r.zscore(k, m)
            assert got == s, (k, m, got, s)
    finally:
        srv.cleanup()


def test_sigkill_during_list_flood_keeps_lists_whole(tmp_path):
    """kill -9 during a flood of LPUSH/RPUSH/LPOP/RPOP/LINSERT (--fsync
    always): each writer's own list comes back exactly as its acknowledged
    operations left it (or with its one cut-off request applied too), a
    list all writers push onto holds every acknowledged element once, and
    every list's LLEN is the number of elements LRANGE finds."""
    import redis
    from collections import deque
    srv = ShaleServer(str(tmp_path), args=["--fsync", "always"]).start()
    try:
        models = {}  # writer -> deque of its list, as acknowledged
        pending = {}  # writer -> the deque if its cut-off request applied
        shared = set()  # acknowledged elements of "shared"
        shared_maybe = set()
        failures = []  # replies that disagreed with the model before the kill
        lock = threading.Lock()
        stop = threading.Event()
        seed = random.randrange(1 << 30)
        print("seed", seed)

        def writer(w):
            rnd = random.Random(seed + w)
            r = srv.redis()
            key = "l%d" % w
            model = deque()
            i = 0
            while not stop.is_set():
                e = "w%d:%d" % (w, i)
                i += 1
                op = rnd.randrange(8)
                after = deque(model)
                try:
                    if op <= 2:
                        after.appendleft(e)
                        pending[w] = after
                        assert r.lpush(key, e) == len(after)
                    elif op <= 4:
                        after.append(e)
                        pending[w] = after
                        assert r.rpush(key, e) == len(after)
                    elif op == 5 and model:
                        after.popleft()
                        pending[w] = after
                        assert r.lpop(key).decode() == model[0]
                    elif op == 6 and model:
                        after.pop()
                        pending[w] = after
                        assert r.rpop(key).decode() == model[-1]
                    elif op == 7 and model:
                        pivot = model[rnd.randrange(len(model))]
                        after.insert(after.index(pivot), e)
                        pending[w] = after
                        assert r.linsert(key, "BEFORE", pivot, e) == len(after)
                    else:
                        with lock:
                            shared_maybe.add(e)
                        assert r.rpush("shared", e) > 0
                        with lock:
                            shared.add(e)
                        continue
                except (redis.ConnectionError, OSError):
                    return  # the server died mid-request
                except Exception as x:
                    failures.append((w, op, repr(x)))  # a wrong reply
                    return
                model = after
                with lock:
                    models[w] = deque(model)
                    pending.pop(w, None)

        ts = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
        for t in ts:
            t.start()
        wait_for(lambda: sum(len(m) for m in models.values()) + len(shared)
                 >= 3000, 60, "load")
        srv.kill()
        stop.set()
        for t in ts:
            t.join(30)
        srv.start()
        assert not failures, failures
        r = srv.redis(decode_responses=True)
        for w in range(8):
            got = r.lrange("l%d" % w, 0, -1)
            assert r.llen("l%d" % w) == len(got)
            ok = [list(models.get(w, deque()))]
            if w in pending:
                ok.append(list(pending[w]))
            assert got in ok, (w, len(got), [len(x) for x in ok])
        got = r.lrange("shared", 0, -1)
        assert r.llen("shared") == len(got) == len(set(got))
        assert shared <= set(got) <= shared_maybe
    finally:
        srv.cleanup()


def test_sigkill_during_stream_flood_keeps_entries_and_acks(tmp_path):
    """kill -9 during a flood of XADD, XREADGROUP and XACK (--fsync always):
    every acknowledged entry is in its stream with its fields, XLEN counts
    what XRANGE finds, an acknowledged XACK's entries are pending no more,
    every entry a consumer received and did not ack is still pending for
    that consumer (XPENDING, its history read, XINFO GROUPS agree), and the
    group's last-delivered ID is at least every delivered ID."""
    import redis
    srv = ShaleServer(str(tmp_path), args=["--fsync", "always"]).start()
    try:
        streams = ["s0", "s1"]
        r = srv.redis(decode_responses=True)
        for s in streams:
            r.xgroup_create(s, "g", id="0", mkstream=True)
        added = {}  # (stream, id) -> fields, acknowledged
        sent = {}  # (w, i) -> stream, every XADD sent
        delivered = {}  # (stream, id) -> consumer, acknowledged deliveries
        acked = set()  # (stream, id) whose XACK was acknowledged
        cut_read = {}  # consumer -> stream, an XREADGROUP the kill cut off
        cut_ack = set()  # (stream, id) of an XACK the kill cut off
        failures = []
        lock = threading.Lock()
        stop = threading.Event()
        seed = random.randrange(1 << 30)
        print("seed", seed)

        def producer(w):
            rc = srv.redis(decode_responses=True)
            s = streams[w % 2]
            i = 0
            while not stop.is_set():
                fields = {"w": str(w), "i": str(i)}
                with lock:
                    sent[(w, i)] = s
                try:
                    id_ = rc.xadd(s, fields)
                except (redis.ConnectionError, OSError):
                    return
                with lock:
                    added[(s, id_)] = fields
                i += 1

        def consumer(c):
            rnd = random.Random(seed + c)
            rc = srv.redis(decode_responses=True)
            s = streams[c % 2]
            name = "c%d" % c
            mine = []  # delivered to me, not acked yet
            while not stop.is_set():
                try:
                    with lock:
                        cut_read[name] = s
                    got = rc.xreadgroup("g", name, {s: ">"}, count=5)
                    with lock:
                        del cut_read[name]
                        for _, entries in got:
                            for id_, _ in entries:
                                if (s, id_) in delivered:
                                    failures.append(("redelivered", s, id_))
                                delivered[(s, id_)] = name
                                mine.append(id_)
                    # c3 never acks: its entries must all stay pending.
                    if mine and c != 3 and rnd.randrange(2):
                        batch = mine[:rnd.randrange(1, len(mine) + 1)]
                        with lock:
                            cut_ack.update((s, x) for x in batch)
                        n = rc.xack(s, "g", *batch)
                        with lock:
                            cut_ack.difference_update((s, x) for x in batch)
                            if n != len(batch):
                                failures.append(("xack", s, batch, n))
                            acked.update((s, x) for x in batch)
                        del mine[:len(batch)]
                except (redis.ConnectionError, OSError):
                    return

        ts = [threading.Thread(target=producer, args=(w,)) for w in range(4)]
        ts += [threading.Thread(target=consumer, args=(c,)) for c in range(4)]
        for t in ts:
            t.start()
        wait_for(lambda: len(added) >= 3000 and len(acked) >= 500, 60,
                 "load")
        srv.kill()
        stop.set()
        for t in ts:
            t.join(30)
        assert not failures, failures[:5]
        print("added", len(added), "delivered", len(delivered), "acked",
              len(acked), "cut reads", len(cut_read), "cut acks",
              len(cut_ack))
        srv.start()
        r = srv.redis(decode_responses=True)
        for s in streams:
            entries = r.xrange(s, "-", "+")
            assert r.xlen(s) == len(entries), s
            ids = [id_ for id_, _ in entries]
            assert ids == sorted(ids, key=lambda x: tuple(
                map(int, x.split("-")))) and len(set(ids)) == len(ids), s
            found = dict(entries)
            for (s2, id_), fields in added.items():
                if s2 == s:
                    assert found.get(id_) == fields, (s, id_)
            for id_, fields in entries:
                # Every entry is one some producer sent to this stream (an
                # unacknowledged, cut-off XADD may have applied).
                key = (int(fields["w"]), int(fields["i"]))
                assert sent.get(key) == s, (s, id_, fields)

            pending = {p["message_id"]: p["consumer"] for p in
                       r.xpending_range(s, "g", "-", "+", 10 ** 7)}
            summary = r.xpending(s, "g")
            assert summary["pending"] == len(pending), s
            per = {}
            for name in pending.values():
                per[name] = per.get(name, 0) + 1
            assert {c["name"]: c["pending"]
                    for c in summary["consumers"]} == per, s
            group = r.xinfo_groups(s)[0]
            assert group["pending"] == len(pending), s
            last = tuple(map(int, group["last-delivered-id"].split("-")))
            for (s2, id_), name in delivered.items():
                if s2 != s:
                    continue
                assert tuple(map(int, id_.split("-"))) <= last, (s, id_)
                if (s, id_) in acked:
                    assert id_ not in pending, ("acked but pending", s, id_)
                elif (s, id_) not in cut_ack:
                    assert pending.get(id_) == name, (s, id_, name)
            for id_, name in pending.items():
                # Pending for the consumer it was delivered to, or for one
                # whose cut-off XREADGROUP may have delivered it.
                assert (delivered.get((s, id_)) == name or
                        cut_read.get(name) == s), (s, id_, name)
            for name in set(pending.values()):
                history = r.xreadgroup("g", name, {s: "0"}, count=10 ** 7)
                mine = [id_ for id_, _ in history[0][1]] if history else []
                assert sorted(mine) == sorted(
                    i for i, n in pending.items() if n == name), (s, name)
    finally:
        srv.cleanup()
