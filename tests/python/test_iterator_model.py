"""Randomized check of shale.Iterator against a model of plyvel's cursor:
random keys, ranges (start/stop, inclusive or not, prefix), directions and
move sequences, directly and through a PrefixedDB. Prints its seed;
SHALE_SEED=N reruns one."""

import bisect
import os
import random

import pytest

import shale

ALPHABET = [b"a", b"b", b"\x00", b"\xff"]


class Cursor:
    """The model: a position between the entries of the range."""

    def __init__(self, entries, reverse):
        self.entries = entries
        self.reverse = reverse
        self.pos = len(entries) if reverse else 0

    def forward(self):
        if self.pos == len(self.entries):
            raise StopIteration
        self.pos += 1
        return self.entries[self.pos - 1]

    def backward(self):
        if self.pos == 0:
            raise StopIteration
        self.pos -= 1
        return self.entries[self.pos]

    def next(self):
        return self.backward() if self.reverse else self.forward()

    def prev(self):
        return self.forward() if self.reverse else self.backward()

    def seek(self, target):
        self.pos = bisect.bisect_left(self.entries, target)


def random_key(rng):
    return b"".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 3)))


def in_range(key, spec):
    if spec.get("prefix") is not None:
        return key.startswith(spec["prefix"])
    start, stop = spec.get("start"), spec.get("stop")
    if start is not None:
        if key < start or (key == start and not spec["include_start"]):
            return False
    if stop is not None:
        if key > stop or (key == stop and not spec["include_stop"]):
            return False
    return True


def random_spec(rng):
    spec = {"reverse": rng.random() < 0.5}
    if rng.random() < 0.3:
        spec["prefix"] = random_key(rng)[:2]
        return spec
    spec["include_start"] = rng.random() < 0.5
    spec["include_stop"] = rng.random() < 0.5
    if rng.random() < 0.6:
        spec["start"] = random_key(rng)
    if rng.random() < 0.6:
        spec["stop"] = random_key(rng)
    return spec


def outcome(fn):
    try:
        return fn()
    except StopIteration:
        return "stop"


def run_case(rng, db, view, keys):
    spec = random_spec(rng)
    entries = sorted(k for k in keys if in_range(k, spec))
    model = Cursor(entries, spec["reverse"])
    it = view.iterator(include_value=False, **spec)
    trace = [spec]
    for _ in range(rng.randint(1, 25)):
        op = rng.choice(["next", "next", "prev", "seek", "start", "stop"])
        if op == "next":
            got, want = outcome(lambda: next(it)), outcome(model.next)
        elif op == "prev":
            got, want = outcome(it.prev), outcome(model.prev)
        elif op == "seek":
            target = random_key(rng)
            op = ("seek", target)
            it.seek(target)
            model.seek(target)
            got = want = None
        elif op == "start":
            it.seek_to_start()
            model.pos = 0
            got = want = None
        else:
            it.seek_to_stop()
            model.pos = len(entries)
            got = want = None
        trace.append((op, want))
        assert got == want, f"keys={sorted(keys)} trace={trace} got={got}"
    it.close()


@pytest.mark.parametrize("prefixed", [False, True])
def test_iterator_against_model(tmp_path, prefixed):
    seed = int(os.environ.get("SHALE_SEED", random.randrange(1 << 30)))
    print(f"seed {seed} (SHALE_SEED={seed} reruns it)")
    rng = random.Random(seed)
    db = shale.DB(str(tmp_path / "db"), create_if_missing=True)
    try:
        for _ in range(60):
            keys = {random_key(rng) for _ in range(rng.randint(0, 12))}
            for key in db.iterator(include_value=False):
                db.delete(key)
            if prefixed:
                # Neighbours outside the prefix that must never show.
                db.put(b"O", b"x")
                db.put(b"Q", b"x")
                for key in keys:
                    db.put(b"P" + key, key)
                view = db.prefixed_db(b"P")
            else:
                for key in keys:
                    db.put(key, key)
                view = db
            if rng.random() < 0.3:
                db.flush()  # entries in a table as well as the memtable
            for _ in range(10):
                run_case(rng, db, view, keys)
    finally:
        db.close()
