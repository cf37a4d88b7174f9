"""plyvel's API, run against shale and (when installed) plyvel itself: the
same calls give the same results, so plyvel code runs on shale by changing
the import."""

import pytest

from conftest import fill


def test_put_get_delete(anydb):
    anydb.put(b"k", b"v")
    assert anydb.get(b"k") == b"v"
    assert anydb.get(b"missing") is None
    assert anydb.get(b"missing", b"dflt") == b"dflt"
    assert anydb.get(b"missing", default=7) == 7
    anydb.delete(b"k")
    assert anydb.get(b"k") is None
    anydb.delete(b"never-there")


def test_keyword_arguments(anydb):
    anydb.put(b"k", b"v", sync=True)
    assert anydb.get(b"k", verify_checksums=True, fill_cache=False) == b"v"
    anydb.delete(b"k", sync=True)
    assert anydb.get(b"k") is None


def test_binary_and_empty(anydb):
    anydb.put(b"\x00\xff", b"")
    anydb.put(b"", b"\x00v\x00")
    assert anydb.get(b"\x00\xff") == b""
    assert anydb.get(b"") == b"\x00v\x00"


def test_value_types(anydb):
    anydb.put(b"m", memoryview(b"view"))
    anydb.put(b"a", bytearray(b"array"))
    assert anydb.get(b"m") == b"view"
    assert anydb.get(b"a") == b"array"
    with pytest.raises(TypeError):
        anydb.put(b"k", "str value")


@pytest.mark.parametrize("bad", ["str", bytearray(b"x"), 1, None])
def test_keys_must_be_bytes(anydb, bad):
    with pytest.raises(TypeError):
        anydb.put(bad, b"v")
    with pytest.raises(TypeError):
        anydb.get(bad)
    with pytest.raises(TypeError):
        anydb.delete(bad)


def test_open_options(mod, tmp_path):
    handle = mod.DB(str(tmp_path / "o"), create_if_missing=True,
                    error_if_exists=True, paranoid_checks=True,
                    write_buffer_size=1 << 20, max_open_files=50,
                    lru_cache_size=1 << 20, block_size=1024,
                    block_restart_interval=8, max_file_size=1 << 20,
                    compression=None, bloom_filter_bits=10)
    handle.put(b"k", b"v")
    assert handle.name == str(tmp_path / "o")
    handle.close()
    handle = mod.DB(str(tmp_path / "o"), compression="snappy")
    assert handle.get(b"k") == b"v"
    handle.close()
    with pytest.raises(ValueError):
        mod.DB(str(tmp_path / "o"), compression="nope")


def test_open_errors(mod, tmp_path):
    with pytest.raises(mod.Error):
        mod.DB(str(tmp_path / "missing"))
    mod.DB(str(tmp_path / "e"), create_if_missing=True).close()
    with pytest.raises(mod.Error):
        mod.DB(str(tmp_path / "e"), error_if_exists=True)
    held = mod.DB(str(tmp_path / "e"))
    with pytest.raises(mod.IOError):
        mod.DB(str(tmp_path / "e"))
    held.close()


def test_close(anydb):
    it = anydb.iterator()
    assert not anydb.closed
    anydb.close()
    assert anydb.closed
    anydb.close()  # twice is fine
    with pytest.raises(RuntimeError):
        anydb.get(b"k")
    with pytest.raises(RuntimeError):
        anydb.put(b"k", b"v")
    with pytest.raises(RuntimeError):
        next(it)


def test_write_batch(anydb):
    anydb.put(b"gone", b"x")
    batch = anydb.write_batch()
    batch.put(b"a", b"1")
    batch.put(b"b", b"2")
    batch.delete(b"gone")
    assert anydb.get(b"a") is None
    assert batch.approximate_size() > 0
    batch.write()
    assert anydb.get(b"a") == b"1" and anydb.get(b"gone") is None
    # The batch stays as it is: writing it again re-applies it.
    anydb.delete(b"a")
    batch.write()
    assert anydb.get(b"a") == b"1"
    batch.clear()
    batch.put(b"c", b"3")
    other = anydb.write_batch(sync=True)
    other.append(batch)
    other.write()
    assert anydb.get(b"c") == b"3"
    with pytest.raises(TypeError):
        batch.put("str", b"v")


def test_write_batch_context(anydb):
    with anydb.write_batch() as batch:
        batch.put(b"k", b"v")
        assert anydb.get(b"k") is None
    assert anydb.get(b"k") == b"v"
    # Not a transaction: written even when the block raises.
    with pytest.raises(ValueError):
        with anydb.write_batch() as batch:
            batch.put(b"k2", b"v")
            raise ValueError("boom")
    assert anydb.get(b"k2") == b"v"
    # A transaction: not written when the block raises.
    with pytest.raises(ValueError):
        with anydb.write_batch(transaction=True) as batch:
            batch.put(b"k3", b"v")
            raise ValueError("boom")
    assert anydb.get(b"k3") is None
    with anydb.write_batch(transaction=True) as batch:
        batch.put(b"k3", b"v")
    assert anydb.get(b"k3") == b"v"


def test_write_batch_after_close(anydb):
    batch = anydb.write_batch()
    batch.put(b"k", b"v")
    anydb.close()
    with pytest.raises(RuntimeError):
        batch.write()


def test_iterator_kinds(anydb):
    fill(anydb, [b"a", b"b", b"c", b"d"])
    assert list(anydb) == [(b"a", b"A"), (b"b", b"B"), (b"c", b"C"),
                           (b"d", b"D")]
    assert list(anydb.iterator(include_value=False)) == [b"a", b"b", b"c",
                                                         b"d"]
    assert list(anydb.iterator(include_key=False)) == [b"A", b"B", b"C", b"D"]
    assert list(anydb.iterator(include_key=False, include_value=False)) == [
        None] * 4
    assert list(anydb.iterator(reverse=True, include_value=False)) == [
        b"d", b"c", b"b", b"a"]


def test_iterator_ranges(anydb):
    fill(anydb, [b"a", b"b", b"c", b"d"])

    def keys(**kw):
        return list(anydb.iterator(include_value=False, **kw))

    assert keys(start=b"b") == [b"b", b"c", b"d"]
    assert keys(stop=b"c") == [b"a", b"b"]
    assert keys(start=b"b", stop=b"d") == [b"b", b"c"]
    assert keys(start=b"b", stop=b"d", include_start=False,
                include_stop=True) == [b"c", b"d"]
    assert keys(start=b"b", stop=b"d", include_start=False, include_stop=True,
                reverse=True) == [b"d", b"c"]
    assert keys(start=b"bb", stop=b"cc") == [b"c"]
    assert keys(start=b"x") == []
    assert keys(start=b"c", stop=b"b") == []
    assert keys(prefix=b"c") == [b"c"]
    assert keys(prefix=b"z") == []
    assert keys(prefix=b"") == [b"a", b"b", b"c", b"d"]
    with pytest.raises(TypeError):
        anydb.iterator(prefix=b"a", start=b"a")
    with pytest.raises(TypeError):
        anydb.iterator(prefix=b"a", stop=b"b")


def test_prefix_of_ff_bytes(anydb):
    for key in [b"\xff", b"\xff\xff", b"\xff\xff\x00", b"\xfe"]:
        anydb.put(key, b"v")
    assert list(anydb.iterator(prefix=b"\xff\xff", include_value=False)) == [
        b"\xff\xff", b"\xff\xff\x00"]


def test_iterator_cursor(anydb):
    fill(anydb, [b"a", b"b", b"c", b"d"])
    it = anydb.iterator()
    assert next(it) == (b"a", b"A")
    assert next(it) == (b"b", b"B")
    assert it.prev() == (b"b", b"B")
    assert next(it) == (b"b", b"B")
    assert it.prev() == (b"b", b"B")
    assert it.prev() == (b"a", b"A")
    with pytest.raises(StopIteration):
        it.prev()
    assert next(it) == (b"a", b"A")


def test_reverse_cursor(anydb):
    fill(anydb, [b"a", b"b", b"c", b"d"])
    it = anydb.iterator(reverse=True)
    assert next(it) == (b"d", b"D")
    assert next(it) == (b"c", b"C")
    assert it.prev() == (b"c", b"C")
    assert it.prev() == (b"d", b"D")
    with pytest.raises(StopIteration):
        it.prev()
    assert next(it) == (b"d", b"D")


def test_iterator_seek(anydb):
    fill(anydb, [b"a", b"b", b"c", b"d"])
    it = anydb.iterator()
    it.seek(b"bb")
    assert next(it) == (b"c", b"C")
    it.seek(b"bb")
    assert it.prev() == (b"b", b"B")
    it.seek_to_stop()
    assert it.prev() == (b"d", b"D")
    it.seek_to_start()
    assert next(it) == (b"a", b"A")
    rev = anydb.iterator(reverse=True)
    rev.seek(b"b")
    assert next(rev) == (b"a", b"A")
    rev.seek(b"b")
    assert rev.prev() == (b"b", b"B")
    rev.seek_to_stop()
    with pytest.raises(StopIteration):
        rev.prev()
    assert next(rev) == (b"d", b"D")
    rev.seek_to_start()
    with pytest.raises(StopIteration):
        next(rev)
    ranged = anydb.iterator(start=b"b", stop=b"d")
    ranged.seek(b"a")
    assert list(ranged) == [(b"b", b"B"), (b"c", b"C")]
    ranged.seek(b"z")
    assert list(ranged) == []
    assert ranged.prev() == (b"c", b"C")


def test_iterator_sees_its_creation_state(anydb):
    fill(anydb, [b"a", b"b"])
    it = anydb.iterator()
    anydb.put(b"c", b"C")
    anydb.delete(b"a")
    assert list(it) == [(b"a", b"A"), (b"b", b"B")]


def test_iterator_close(anydb):
    fill(anydb, [b"a"])
    it = anydb.iterator()
    it.close()
    with pytest.raises(RuntimeError):
        next(it)
    with anydb.iterator() as it:
        assert next(it) == (b"a", b"A")
    with pytest.raises(RuntimeError):
        next(it)


def test_raw_iterator(mod, anydb):
    fill(anydb, [b"a", b"b", b"c"])
    it = anydb.raw_iterator()
    assert not it.valid()
    with pytest.raises(mod.IteratorInvalidError):
        it.key()
    with pytest.raises(mod.IteratorInvalidError):
        it.next()
    it.seek_to_first()
    assert it.valid() and it.key() == b"a" and it.value() == b"A"
    it.next()
    assert it.item() == (b"b", b"B")
    it.prev()
    assert it.key() == b"a"
    it.prev()
    assert not it.valid()
    with pytest.raises(mod.IteratorInvalidError):
        it.prev()
    it.seek_to_last()
    assert it.key() == b"c"
    it.seek(b"bb")
    assert it.key() == b"c"
    it.seek(b"z")
    assert not it.valid()
    with pytest.raises(mod.IteratorInvalidError):
        it.value()
    it.close()
    with pytest.raises(RuntimeError):
        it.valid()
    with anydb.raw_iterator() as it:
        it.seek_to_first()
        assert it.key() == b"a"


def test_snapshot(anydb):
    fill(anydb, [b"a", b"b"])
    snap = anydb.snapshot()
    anydb.put(b"a", b"new")
    anydb.delete(b"b")
    anydb.put(b"c", b"C")
    assert snap.get(b"a") == b"A"
    assert snap.get(b"c") is None
    assert snap.get(b"c", b"dflt") == b"dflt"
    assert list(snap.iterator()) == [(b"a", b"A"), (b"b", b"B")]
    assert list(snap.iterator(start=b"b", include_value=False)) == [b"b"]
    assert list(snap) == [(b"a", b"A"), (b"b", b"B")]
    raw = snap.raw_iterator()
    raw.seek_to_last()
    assert raw.item() == (b"b", b"B")
    raw.close()
    snap.close()
    with pytest.raises(RuntimeError):
        snap.get(b"a")
    with anydb.snapshot() as snap:
        assert snap.get(b"a") == b"new"
    with pytest.raises(RuntimeError):
        snap.get(b"a")
    snap = anydb.snapshot()
    snap.release()
    with pytest.raises(RuntimeError):
        snap.get(b"a")


def test_get_property(anydb):
    assert anydb.get_property(b"no-such-property") is None
    name = b"shale.stats" if type(anydb).__module__.startswith(
        "shale") else b"leveldb.stats"
    assert isinstance(anydb.get_property(name), bytes)


def test_compact_range(anydb):
    fill(anydb, [b"a", b"b", b"c"])
    anydb.delete(b"b")
    anydb.compact_range()
    anydb.compact_range(start=b"a", stop=b"b")
    anydb.compact_range(start=b"b")
    anydb.compact_range(stop=b"b")
    assert list(anydb.iterator(include_value=False)) == [b"a", b"c"]


def test_prefixed_db(anydb):
    fill(anydb, [b"a", b"pa", b"pb", b"pqa", b"q"])
    p = anydb.prefixed_db(b"p")
    assert p.prefix == b"p" and p.db is anydb
    assert p.get(b"a") == b"PA"
    assert p.get(b"zz") is None
    p.put(b"c", b"pc")
    assert anydb.get(b"pc") == b"pc"
    p.delete(b"c")
    assert anydb.get(b"pc") is None
    assert list(p) == [(b"a", b"PA"), (b"b", b"PB"), (b"qa", b"PQA")]
    assert list(p.iterator(start=b"b", include_value=False)) == [b"b", b"qa"]
    assert list(p.iterator(stop=b"b", include_value=False)) == [b"a"]
    assert list(p.iterator(prefix=b"q", include_value=False)) == [b"qa"]
    assert list(p.iterator(reverse=True, include_value=False)) == [
        b"qa", b"b", b"a"]
    it = p.iterator(include_value=False)
    it.seek(b"b")
    assert next(it) == b"b"
    q = p.prefixed_db(b"q")
    assert list(q) == [(b"a", b"PQA")]
    with p.write_batch() as batch:
        batch.put(b"w", b"1")
        batch.delete(b"a")
    assert anydb.get(b"pw") == b"1" and anydb.get(b"pa") is None
    snap = p.snapshot()
    p.put(b"w", b"2")
    assert snap.get(b"w") == b"1"
    assert list(snap.iterator(include_value=False)) == [b"b", b"qa", b"w"]
    snap.close()
