"""Read-modify-write commands are atomic under concurrent clients."""
import random
import threading

from pymemcache.client.base import Client

CLIENTS = 20


def run_threads(fn):
    errors = []

    def wrap(i):
        try:
            fn(i)
        except Exception as e:  # surfaced after join
            errors.append(e)

    ts = [threading.Thread(target=wrap, args=(i,)) for i in range(CLIENTS)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(120)
    assert not errors, errors


def test_incr_20_clients(server):
    server.redis().delete("counter")
    per = 500

    def work(i):
        r = server.redis()
        p = r.pipeline(transaction=False)
        for _ in range(per):
            p.incr("counter")
        p.execute()
        for _ in range(per):
            r.incrby("counter", 2)

    run_threads(work)
    assert int(server.redis().get("counter")) == CLIENTS * per * 3


def test_memcache_cas_loops_20_clients(server):
    seed = random.randrange(1 << 30)
    print("seed", seed)
    mc0 = Client(("127.0.0.1", server.mc_port), default_noreply=False)
    mc0.set("cas-counter", b"0")
    per = 100

    def work(i):
        rnd = random.Random(seed + i)
        mc = Client(("127.0.0.1", server.mc_port), timeout=30, default_noreply=False)
        done = 0
        while done < per:
            v, token = mc.gets("cas-counter")
            if mc.cas("cas-counter", str(int(v) + 1).encode(), token,
                      noreply=False):
                done += 1
            elif rnd.random() < 0.1:
                pass  # contended: retry at once
        mc.close()

    run_threads(work)
    assert int(mc0.get("cas-counter")) == CLIENTS * per


def test_mixed_protocol_increments(server):
    r0 = server.redis()
    r0.set("mixed", 0)
    per = 200

    def work(i):
        if i % 2:
            r = server.redis()
            for _ in range(per):
                r.incr("mixed")
        else:
            mc = Client(("127.0.0.1", server.mc_port), timeout=30, default_noreply=False)
            for _ in range(per):
                mc.incr("mixed", 1)

    run_threads(work)
    assert int(r0.get("mixed")) == CLIENTS * per


def test_setnx_exactly_one_winner(server):
    r0 = server.redis()
    r0.delete(*["lock%d" % k for k in range(50)])
    wins = [0] * CLIENTS

    def work(i):
        r = server.redis()
        for k in range(50):
            if r.set("lock%d" % k, i, nx=True):
                wins[i] += 1

    run_threads(work)
    assert sum(wins) == 50
