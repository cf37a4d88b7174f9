"""What shale's binding has beyond plyvel: db[key], expiry, multi_get,
flush, stats and properties, error classes, and close() with work in
flight."""

import os
import time

import pytest

import shale
from conftest import fill


def now_ms():
    return int(time.time() * 1000)


def test_mapping_protocol(db):
    db[b"k"] = b"v"
    assert db[b"k"] == b"v"
    assert b"k" in db and b"x" not in db
    with pytest.raises(KeyError):
        db[b"x"]
    with pytest.raises(TypeError):
        db["str"] = b"v"


def test_expiry(db):
    db.put(b"past", b"v", expire_at_ms=1)
    db.put(b"future", b"v", expire_at_ms=now_ms() + 3_600_000)
    db.put(b"never", b"v", expire_at_ms=0)
    assert db.get(b"past") is None
    assert db.get(b"future") == b"v"
    assert db.get(b"never") == b"v"
    with db.write_batch() as batch:
        batch.put(b"bpast", b"v", expire_at_ms=1)
        batch.put(b"bfuture", b"v", expire_at_ms=now_ms() + 3_600_000)
    assert db.get(b"bpast") is None
    assert db.get(b"bfuture") == b"v"
    assert list(db.iterator(include_value=False)) == [b"bfuture", b"future",
                                                      b"never"]
    with pytest.raises(TypeError):
        db.put(b"k", b"v", expire_at_ms=-1)


def test_expiry_passes(db):
    db.put(b"soon", b"v", expire_at_ms=now_ms() + 50)
    deadline = time.monotonic() + 10
    while db.get(b"soon") is not None:
        assert time.monotonic() < deadline, "the value never expired"
        time.sleep(0.01)


def test_multi_get(db):
    fill(db, [b"a", b"b"])
    assert db.multi_get([b"a", b"x", b"b", b"a"]) == [b"A", None, b"B", b"A"]
    assert db.multi_get([]) == []
    assert db.multi_get(iter([b"b"]), verify_checksums=True,
                        fill_cache=False) == [b"B"]
    with pytest.raises(TypeError):
        db.multi_get([b"a", "str"])


def test_write_batch_len_and_self_append(db):
    batch = db.write_batch()
    batch.put(b"a", b"1")
    batch.delete(b"b")
    assert len(batch) == 2
    batch.append(batch)
    assert len(batch) == 4


def test_flush_and_properties(db):
    fill(db, [b"a", b"b"])
    db.flush()
    db.sync_wal()
    db.wait_for_compactions()
    db.resume()
    props = db.properties()
    assert "shale.stats" in props and "shale.num-files-at-level0" in props
    assert all(isinstance(v, str) for v in props.values())
    total = sum(int(v) for k, v in props.items()
                if k.startswith("shale.num-files-at-level"))
    assert total >= 1
    assert db.get_property("shale.num-snapshots") == b"0"
    stats = db.stats()
    assert stats["user_bytes_written"] > 0
    assert all(isinstance(v, float) for v in stats.values())


def test_compact_range_force_vlog_gc(tmp_path):
    db = shale.DB(str(tmp_path / "v"), create_if_missing=True)
    big = os.urandom(4096)  # past min_blob_size: goes to a value log
    for i in range(50):
        db.put(b"k%03d" % i, big)
    db.flush()
    for i in range(50):
        db.put(b"k%03d" % i, b"small")
    db.compact_range(force_vlog_gc=True)
    assert db.get(b"k007") == b"small"
    assert db.properties()["shale.vlog-garbage-bytes"] == "0"
    db.close()


def test_checkpoint(tmp_path):
    db = shale.DB(str(tmp_path / "src"), create_if_missing=True)
    big = os.urandom(4096)  # in a value log once flushed
    for i in range(50):
        db.put(b"k%03d" % i, big)
    db.flush()
    db.put(b"in-wal", b"1")
    db.checkpoint(tmp_path / "ckpt")  # path-like
    with pytest.raises(shale.InvalidArgumentError, match="exists"):
        db.checkpoint(str(tmp_path / "ckpt"))
    db.put(b"later", b"2")
    db.close()
    ckpt = shale.DB(str(tmp_path / "ckpt"))
    assert ckpt.get(b"in-wal") == b"1"
    assert ckpt.get(b"k049") == big
    assert ckpt.get(b"later") is None
    ckpt.close()


def test_error_classes():
    assert issubclass(shale.IOError, shale.Error)
    assert issubclass(shale.IOError, OSError)
    assert issubclass(shale.BusyError, shale.IOError)
    assert issubclass(shale.NoSpaceError, shale.IOError)
    for cls in (shale.CorruptionError, shale.InvalidArgumentError,
                shale.NotSupportedError, shale.IteratorInvalidError):
        assert issubclass(cls, shale.Error)
    assert shale.Error.__module__ == "shale"


def test_status_mapping(tmp_path):
    path = str(tmp_path / "m")
    with pytest.raises(shale.InvalidArgumentError, match="Invalid argument"):
        shale.DB(path)
    db = shale.DB(path, create_if_missing=True)
    with pytest.raises(shale.BusyError, match="Busy"):
        shale.DB(path)
    with pytest.raises(shale.BusyError):
        shale.destroy_db(path)
    db.close()
    with pytest.raises(shale.InvalidArgumentError):
        shale.DB(path, error_if_exists=True)
    with pytest.raises(shale.NotSupportedError):
        shale.DB(path, comparator=lambda a, b: 0)
    not_a_dir = tmp_path / "file"
    not_a_dir.write_bytes(b"x")
    with pytest.raises(shale.IOError, match="IO error"):
        shale.DB(str(not_a_dir / "db"), create_if_missing=True)
    shale.destroy_db(path)
    assert not os.path.exists(path) or not os.listdir(path)


def test_corruption(tmp_path):
    path = tmp_path / "c"
    db = shale.DB(str(path), create_if_missing=True, compression=None)
    fill(db, [b"key%04d" % i for i in range(100)])
    db.flush()
    db.close()
    tables = [p for p in path.iterdir() if p.suffix == ".sst"]
    assert tables
    with open(tables[0], "r+b") as f:
        f.seek(20)
        f.write(b"\xde\xad\xbe\xef" * 4)
    db = shale.DB(str(path))
    with pytest.raises(shale.CorruptionError, match="Corruption"):
        db.get(b"key0000", verify_checksums=True)
    with pytest.raises(shale.CorruptionError):
        list(db.iterator())
    db.close()


def test_path_like_name(tmp_path):
    db = shale.DB(tmp_path / "p", create_if_missing=True)
    assert db.name == str(tmp_path / "p")
    db.close()


def test_close_releases_iterators_and_snapshots(db):
    fill(db, [b"a", b"b"])
    it = db.iterator()
    raw = db.raw_iterator()
    snap = db.snapshot()
    assert db.get_property(b"shale.num-snapshots") == b"1"
    db.close()
    for call in (lambda: next(it), raw.valid, lambda: snap.get(b"a"),
                 lambda: list(snap.iterator())):
        with pytest.raises(RuntimeError):
            call()
    it.close()
    snap.close()


def test_dropped_objects_release_engine_state(tmp_path):
    db = shale.DB(str(tmp_path / "d"), create_if_missing=True)
    snap = db.snapshot()
    it = snap.iterator()
    del snap  # the iterator keeps the snapshot
    assert db.get_property(b"shale.num-snapshots") == b"1"
    del it
    assert db.get_property(b"shale.num-snapshots") == b"0"
    db.close()
    # Reopening works: nothing kept the DB open.
    shale.DB(str(tmp_path / "d")).close()


def test_docstrings_and_hints():
    for obj in (shale.DB, shale.DB.get, shale.DB.put, shale.DB.iterator,
                shale.WriteBatch, shale.Snapshot, shale.Iterator,
                shale.RawIterator, shale.PrefixedDB):
        assert obj.__doc__, obj
    stub = os.path.join(os.path.dirname(shale.__file__), "__init__.pyi")
    assert os.path.exists(stub)
    assert os.path.exists(os.path.join(os.path.dirname(shale.__file__),
                                       "py.typed"))
