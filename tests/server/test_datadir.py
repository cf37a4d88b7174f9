"""The data directory: the engine DB in <dir>/db/, and the migration of a
directory written before that layout (docs/format/server_keys.md, §7).

fixtures/legacy_datadir.tar.gz was written by shale-server at main 6e394f7
(fixtures/make_legacy_datadir.py); legacy_datadir.json lists what it holds.
"""
import base64
import json
import os
import pathlib
import random
import signal
import subprocess
import tarfile

import pytest
from conftest import ShaleServer, raw_command, server_binary, wait_for

FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures"


def unpack_fixture(tmp_path):
    with tarfile.open(FIXTURES / "legacy_datadir.tar.gz") as t:
        t.extractall(tmp_path)
    expect = json.load(open(FIXTURES / "legacy_datadir.json"))
    return {base64.b64decode(k): v for k, v in expect.items()}


def check_keys(server, expect):
    r = server.redis()
    assert r.dbsize() == len(expect)
    got = {}
    cursor = 0
    while True:
        cursor, keys = r.scan(cursor, count=1000)
        for k in keys:
            got[k] = True
        if cursor == 0:
            break
    assert set(got) == set(expect)
    keys = list(expect)
    for k, v in zip(keys, r.mget(keys)):
        assert v == base64.b64decode(expect[k]["value"]), k
    pipe = r.pipeline(transaction=False)
    for k in keys:
        pipe.pttl(k)
    for k, ttl in zip(keys, pipe.execute()):
        if expect[k]["expires"]:
            assert ttl > 0, k
        else:
            assert ttl == -1, k
    for k in keys:
        if expect[k]["flags"]:
            reply, _ = raw_command(server.mc_port, b"get " + k + b"\r\n",
                                   until=lambda b: b.endswith(b"END\r\n"))
            assert reply.split(b"\r\n")[0].split()[2] == \
                str(expect[k]["flags"]).encode()
    for d in range(1, 16):
        r.execute_command("SELECT", d)
        assert r.dbsize() == 0
    r.close()


def check_layout(data):
    names = set(os.listdir(data))
    assert "db" in names
    assert "db.migrating" not in names
    assert "CURRENT" not in names
    assert not [n for n in names if n.endswith((".sst", ".log", ".vlog"))]
    assert os.path.exists(os.path.join(data, "db", "CURRENT"))


def test_new_directory_has_db_subdirectory(tmp_path):
    s = ShaleServer(str(tmp_path)).start()
    try:
        s.redis().set("k", "v")
    finally:
        s.stop()
    check_layout(tmp_path / "data")


def test_legacy_fixture_migrates_to_database_0(tmp_path):
    expect = unpack_fixture(tmp_path)
    assert b"ttl:short" not in expect and b"key:0000" not in expect
    s = ShaleServer(str(tmp_path)).start()
    try:
        check_keys(s, expect)
        assert "migrated %d keys" % len(expect) in s.log()
    finally:
        s.stop()
    check_layout(tmp_path / "data")
    # A second start: nothing left to migrate, the same keys.
    s = ShaleServer(str(tmp_path)).start()
    try:
        check_keys(s, expect)
        assert "migrated" not in s.log().split("received")[-1]
    finally:
        s.stop()


def grow_legacy(data, n, rng):
    """Adds n keys to a legacy directory with the shale tool (values without
    a header: as another tool would have written them)."""
    tool = os.path.join(os.path.dirname(server_binary()), "shale")
    lines = []
    added = {}
    for i in range(n):
        k = b"grow:%08d:%d" % (i, rng.randrange(1 << 30))
        v = b"v%d" % rng.randrange(1 << 40)
        added[k] = {"value": base64.b64encode(v).decode(), "flags": 0,
                    "expires": False}
        lines.append(b"put " + k + b" " + v)
    subprocess.run([tool, "shell", "--db", str(data)],
                   input=b"\n".join(lines) + b"\nflush\n", check=True,
                   stdout=subprocess.DEVNULL)
    return added


def run_until_killed(tmp_path, env_kill=None, kill_after_s=None):
    """Starts the server on the directory; it is killed with SIGKILL by its
    own migration (env_kill keys) or from here (after kill_after_s)."""
    env = dict(os.environ)
    if env_kill is not None:
        env["SHALE_TEST_MIGRATE_KILL_AFTER"] = str(env_kill)
    p = subprocess.Popen(
        [server_binary(), "--dir", str(tmp_path / "data"), "--port", "0",
         "--memcache-port", "0", "--http-port", "0",
         "--log-file", str(tmp_path / "kill.log")],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if kill_after_s is not None:
        wait_for(lambda: p.poll() is not None or
                 os.path.exists(tmp_path / "data" / "db.migrating"), 20,
                 "migration start")
        try:
            p.wait(kill_after_s)
        except subprocess.TimeoutExpired:
            p.send_signal(signal.SIGKILL)
    return p.wait(30)


@pytest.mark.parametrize("seed", [random.randrange(1 << 30)])
def test_kill9_during_migration_loses_nothing(tmp_path, seed):
    print("seed", seed)
    rng = random.Random(seed)
    expect = unpack_fixture(tmp_path)
    expect.update(grow_legacy(tmp_path / "data", 15000, rng))
    # Killed by its own copy at a few points (mid-batch and at a batch
    # boundary), then once from outside at a random moment.
    for n in (rng.randrange(1, 999), 1000, rng.randrange(1001, 5000)):
        assert run_until_killed(tmp_path, env_kill=n) == -signal.SIGKILL
        assert os.path.exists(tmp_path / "data" / "db.migrating")
    run_until_killed(tmp_path, kill_after_s=rng.random() * 0.3)
    s = ShaleServer(str(tmp_path)).start()
    try:
        check_keys(s, expect)
    finally:
        s.stop()
    check_layout(tmp_path / "data")
