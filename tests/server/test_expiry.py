"""Active expiry: keys whose time passes are deleted in the background
through the expiry index (docs/server.md, "Expiry"), without any client
touching them, and counted in INFO's expired_keys."""
import pathlib
import subprocess

from conftest import ShaleServer, server_binary, wait_for


def expired_keys(r):
    return int(r.info("stats")["expired_keys"])


def test_untouched_keys_are_expired_in_the_background(server):
    r = server.redis()
    r.flushall()
    before = expired_keys(r)
    for db in (0, 3):
        r.execute_command("SELECT", db)
        for i in range(200):
            r.set(f"k{i}", "v", px=50 + i)
        r.set("stays", "v")
        r.set("later", "v", ex=3600)
    # Nobody reads the keys: only the expirer can delete them.
    wait_for(lambda: expired_keys(r) - before >= 400, timeout=20,
             what="400 keys expired")
    assert expired_keys(r) - before == 400
    for db in (0, 3):
        r.execute_command("SELECT", db)
        assert sorted(r.keys("*")) == [b"later", b"stays"]
        assert r.ttl("later") > 3500


def test_rewritten_expiry_is_not_expired_early(server):
    r = server.redis()
    r.flushall()
    r.set("k", "v", px=100)
    r.set("k", "v2", ex=3600)  # the old index entry is now stale
    r.set("gone", "v", px=150)
    wait_for(lambda: r.exists("gone") == 0 and expired_keys(r) > 0,
             timeout=10, what="gone expired")
    # Let the expirer pass k's stale entry (due at +100 ms) for sure.
    before = expired_keys(r)
    r.set("marker", "v", px=200)
    wait_for(lambda: expired_keys(r) > before, timeout=10,
             what="marker expired")
    assert r.get("k") == b"v2"
    assert r.ttl("k") > 3500


def test_expired_keys_are_deleted_on_disk(tmp_path):
    """The expirer writes the deletions: after a restart the engine holds
    no metadata or index entry of an expired key (its own expiry, an hour
    later, would still show them)."""
    s = ShaleServer(data_dir=str(tmp_path))
    s.start()
    try:
        r = s.redis()
        for i in range(100):
            r.set(f"gone{i}", "v", px=30)
        r.set("stays", "v")
        wait_for(lambda: expired_keys(r) >= 100, timeout=20,
                 what="100 keys expired")
    finally:
        s.stop()
    out = subprocess.run(
        [str(pathlib.Path(server_binary()).parent / "shale"), "scan", "--db",
         str(tmp_path / "data" / "db")],
        check=True, capture_output=True).stdout
    assert b"stays" in out
    assert b"gone" not in out
