"""Threads sharing one DB: engine calls release the GIL, and close() while
other threads work makes their calls raise RuntimeError, never crash. (The
speedup of two threads over one is measured by bench/python_bench.py, not
asserted here.)"""

import threading

import pytest

import shale


def run_threads(n, target):
    errors = []

    def wrapped(i):
        try:
            target(i)
        except BaseException as e:  # reported below, with the thread's id
            errors.append((i, e))

    threads = [threading.Thread(target=wrapped, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
        assert not t.is_alive(), "a thread hung"
    assert not errors, errors


def test_four_threads(db):
    per_thread = 2000

    def work(i):
        for j in range(per_thread):
            key = b"t%d-%05d" % (i, j)
            db.put(key, key * 3)
            assert db.get(key) == key * 3
            if j % 100 == 0:
                with db.write_batch(transaction=True) as batch:
                    batch.put(b"batch-%d" % i, b"%d" % j)
                snap = db.snapshot()
                assert snap.get(key) == key * 3
                snap.close()
                assert db.multi_get([key, b"absent"]) == [key * 3, None]
        keys = list(db.iterator(prefix=b"t%d-" % i, include_value=False))
        assert len(keys) == per_thread

    run_threads(4, work)
    assert sum(1 for _ in db.iterator(include_value=False)) == 4 * 2000 + 4


def test_close_while_threads_work(tmp_path):
    db = shale.DB(str(tmp_path / "c"), create_if_missing=True)
    for i in range(100):
        db.put(b"k%03d" % i, b"v")
    started = threading.Barrier(5)
    outcomes = []

    def work(i):
        started.wait()
        try:
            it = db.iterator()
            while True:
                db.put(b"k%03d" % (i * 7 % 100), b"w")
                db.get(b"k050")
                try:
                    next(it)
                except StopIteration:
                    it = db.iterator()
        except RuntimeError as e:
            outcomes.append(str(e))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    started.wait()
    db.close()
    for t in threads:
        t.join(timeout=60)
        assert not t.is_alive()
    assert len(outcomes) == 4
    assert all("closed" in o for o in outcomes)
