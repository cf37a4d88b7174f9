"""Uses an installed shale Python package (scripts/install_check.sh runs it
from outside the source tree, with the package's directory on
PYTHONPATH): open, write, read back, iterate."""

import sys

import shale


def main(path):
    db = shale.DB(path, create_if_missing=True)
    db.put(b"hello", b"world")
    with db.write_batch(transaction=True) as batch:
        batch.put(b"hello2", b"world2")
    ok = db[b"hello"] == b"world" and list(db.iterator(prefix=b"hello")) == [
        (b"hello", b"world"), (b"hello2", b"world2")]
    db.close()
    if not ok:
        print("consumer.py: wrong data", file=sys.stderr)
        return 1
    print(f"consumer.py: ok ({shale.__file__})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
