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
