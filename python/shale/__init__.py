"""shale: a persistent, ordered key-value store (an LSM tree), embedded.

The API is plyvel's (the LevelDB binding): code written for plyvel runs by
changing ``import plyvel`` to ``import shale as plyvel``. shale adds
``db[key]``, per-write expiry (``put(..., expire_at_ms=...)``),
``multi_get``, ``flush``, ``stats()`` and ``properties()``.

    import shale
    db = shale.DB("/tmp/example", create_if_missing=True)
    db.put(b"key", b"value")
    db.get(b"key")                     # b"value"
    with db.write_batch(transaction=True) as batch:
        batch.put(b"a", b"1")
        batch.delete(b"key")
    for key, value in db.iterator(prefix=b"a"):
        ...
    db.close()

Keys are bytes; values bytes or any bytes-like object. Every engine call
releases the GIL, so threads can share one DB. Errors raise subclasses of
shale.Error: IOError (also an OSError; BusyError when the DB is open
elsewhere, NoSpaceError), CorruptionError, InvalidArgumentError,
NotSupportedError, IteratorInvalidError.
"""

from ._shale import (
    BusyError,
    CorruptionError,
    DB as _DB,
    Error,
    InvalidArgumentError,
    IOError,
    IteratorInvalidError,
    Iterator,
    NoSpaceError,
    NotSupportedError,
    RawIterator,
    Snapshot,
    WriteBatch,
    destroy_db,
)

__all__ = [
    "BusyError",
    "CorruptionError",
    "DB",
    "Error",
    "InvalidArgumentError",
    "IOError",
    "IteratorInvalidError",
    "Iterator",
    "NoSpaceError",
    "NotSupportedError",
    "PrefixedDB",
    "RawIterator",
    "Snapshot",
    "WriteBatch",
    "destroy_db",
]

__version__ = "0.1.0"


class DB(_DB):
    __doc__ = _DB.__doc__

    def prefixed_db(self, prefix: bytes) -> "PrefixedDB":
        """A view of the keys that start with prefix, with prefix removed."""
        return PrefixedDB(self, prefix)


def _check_prefix(prefix):
    if not isinstance(prefix, bytes):
        raise TypeError(f"prefix must be bytes, not {type(prefix).__name__}")
    return prefix


class PrefixedDB:
    """plyvel's PrefixedDB: the keys of a DB that start with a prefix.

    Every key passed in is prefixed, every key returned has the prefix
    removed; the calls are the DB's. From DB.prefixed_db(prefix).
    """

    def __init__(self, db, prefix):
        self.db = db
        self.prefix = _check_prefix(prefix)

    def get(self, key, default=None, *, verify_checksums=False,
            fill_cache=True):
        return self.db.get(self.prefix + _check_key(key), default,
                           verify_checksums=verify_checksums,
                           fill_cache=fill_cache)

    def put(self, key, value, *, sync=False, expire_at_ms=0):
        self.db.put(self.prefix + _check_key(key), value, sync=sync,
                    expire_at_ms=expire_at_ms)

    def delete(self, key, *, sync=False):
        self.db.delete(self.prefix + _check_key(key), sync=sync)

    def write_batch(self, *, transaction=False, sync=False):
        return self.db._write_batch(self.prefix, transaction=transaction,
                                    sync=sync)

    def iterator(self, **kwargs):
        return self.db._iterator(self.prefix, **kwargs)

    def __iter__(self):
        return self.iterator()

    def snapshot(self):
        return _PrefixedSnapshot(self.db.snapshot(), self.prefix)

    def prefixed_db(self, prefix):
        return PrefixedDB(self.db, self.prefix + _check_prefix(prefix))


def _check_key(key):
    if not isinstance(key, bytes):
        raise TypeError(f"key must be bytes, not {type(key).__name__}")
    return key


class _PrefixedSnapshot:
    """A Snapshot seen through a PrefixedDB's prefix."""

    def __init__(self, snapshot, prefix):
        self._snapshot = snapshot
        self._prefix = prefix

    def get(self, key, default=None, *, verify_checksums=False,
            fill_cache=True):
        return self._snapshot.get(self._prefix + _check_key(key), default,
                                  verify_checksums=verify_checksums,
                                  fill_cache=fill_cache)

    def iterator(self, **kwargs):
        return self._snapshot._iterator(self._prefix, **kwargs)

    def __iter__(self):
        return self.iterator()

    def close(self):
        self._snapshot.close()

    release = close

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
        return False
