"""BullMQ, the Node.js job queue built of Lua scripts, unchanged from the
npm registry against shale-server: tests/apps/bullmq/bullmq_test.js
(a queue and worker, a delayed job, a retried job, a job failing for good,
a job scheduler repeating, QueueEvents over XREAD BLOCK, progress,
getJobCounts, pause/resume, a flow, concurrency 4, and more), once through
ioredis (BullMQ's own client) and once through node-redis (RESP2, BullMQ's
adapter for it).

A second test kills shale-server (SIGKILL) with jobs waiting, delayed,
active and stalled, a job scheduler and a flow in it, restarts it on the
same data directory and lets a worker finish everything
(tests/apps/bullmq/restart_test.js).

A third test records what the ioredis run sends to Debian's redis-server
(MONITOR: every command and script BullMQ uses) and replays it to a fresh
redis-server and to shale-server: every reply must match, byte for byte
but for stream IDs and HGETALL's field order (monitor_replay.py).

The packages are the ones tests/apps/bullmq/package-lock.json pins,
installed by `npm ci` into a directory beside the server binary
(build/apps-bullmq) and reinstalled only when the lock file changes.
Skipped, saying why, when node or npm is missing or the npm registry is
unreachable. `SHALE_APPS_TARGET=PORT` runs it against a server already
listening there (e.g. a redis-server, to check the test itself)."""
import os
import pathlib
import shutil
import subprocess

import pytest

from conftest import ROOT, ShaleServer, server_binary
from monitor_replay import Recorder, compare_replays, replay
from real_redis import real_redis  # noqa: F401 (a fixture)
from resp_raw import RawConn

APP_DIR = ROOT / "tests" / "apps" / "bullmq"
FILES = ("package.json", "package-lock.json", "util.js", "bullmq_test.js",
         "restart_test.js")
# What npm prints when it cannot reach the registry.
OFFLINE = ("ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED", "ETIMEDOUT",
           "ENETUNREACH", "ECONNRESET")


def install_dir():
    try:
        return pathlib.Path(server_binary()).resolve().parent / "apps-bullmq"
    except RuntimeError:
        return pathlib.Path.home() / ".cache" / "shale" / "apps-bullmq"


def install(node, npm):
    """Copies the app into install_dir() and runs `npm ci` there unless
    the lock file installed last time is the same. Returns the dir."""
    d = install_dir()
    d.mkdir(parents=True, exist_ok=True)
    for f in FILES:
        shutil.copyfile(APP_DIR / f, d / f)
    lock = (APP_DIR / "package-lock.json").read_bytes()
    stamp = d / "node_modules" / ".shale-lock"
    if stamp.exists() and stamp.read_bytes() == lock:
        return d
    run = subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit",
                          "--no-fund"], cwd=d, capture_output=True,
                         text=True, timeout=300)
    if run.returncode != 0:
        out = run.stdout + run.stderr
        why = [line for line in out.splitlines()
               if any(code in line for code in OFFLINE)]
        if why:
            pytest.skip("npm ci could not reach the npm registry: " +
                        why[0].strip())
        pytest.fail("npm ci failed:\n" + out[-4000:])
    stamp.write_bytes(lock)
    return d


@pytest.fixture(scope="module")
def port():
    env = os.environ.get("SHALE_APPS_TARGET")
    if env:
        yield int(env)
        return
    s = ShaleServer().start()
    yield s.port
    s.cleanup()


@pytest.fixture(scope="module")
def app():
    """(node, the installed directory), or a skip saying what is missing."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("BullMQ test needs node and npm (Debian's nodejs and "
                    "npm); %s is not installed" %
                    ("node" if node is None else "npm"))
    version = subprocess.run([node, "--version"], capture_output=True,
                             text=True).stdout.strip()
    major_minor = tuple(int(x) for x in version.lstrip("v").split(".")[:2])
    if major_minor < (18, 19):
        pytest.skip("BullMQ 6 and node-redis 5 need node 18.19 or newer; "
                    "node is " + version)
    return node, install(node, npm)


def run_app(app, port, client="ioredis"):
    node, d = app
    run = subprocess.run([node, "bullmq_test.js"], cwd=d,
                         env=dict(os.environ, BULLMQ_PORT=str(port),
                                  BULLMQ_CLIENT=client),
                         capture_output=True, text=True, timeout=120)
    print(run.stdout)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-4000:]
    assert "all checks passed" in run.stdout
    # BullMQ warns about a server older than it recommends, or one that
    # may evict its keys (INFO's redis_version, maxmemory_policy).
    for warning in ("highly recommended", "IMPORTANT!"):
        assert warning not in run.stderr, run.stderr[-4000:]


@pytest.mark.parametrize("client", ["ioredis", "node-redis"])
def test_bullmq_queue_worker_events_retries_schedulers_flows(app, port,
                                                             client):
    run_app(app, port, client)


def test_bullmq_commands_replayed_reply_as_redis(app, port, real_redis):
    recorder = Recorder(real_redis.port)
    run_app(app, real_redis.port)
    feed = recorder.stop()
    scripts = sum(1 for _, args in feed if args[0].upper() == b"EVALSHA")
    assert scripts > 50, "too few EVALSHA calls recorded: %d" % scripts
    replies = []
    for p in (real_redis.port, port):
        c = RawConn(p)
        c.call("FLUSHALL")
        c.call("SCRIPT", "FLUSH")
        c.close()
        replies.append(replay(feed, p))
    bad = compare_replays(replies[1], replies[0])
    report = "\n".join("%r\n  shale: %r\n  redis: %r" % (
        [a[:80] for a in args[:6]], ours[:400], theirs[:400])
        for args, ours, theirs in bad[:10])
    assert not bad, "%d of %d replies differ:\n%s" % (
        len(bad), len(replies[0]), report)


def test_bullmq_state_survives_sigkill_of_the_server(app, tmp_path):
    if os.environ.get("SHALE_APPS_TARGET"):
        pytest.skip("kills the server it starts; not with SHALE_APPS_TARGET")
    node, d = app

    def phase(name, port):
        run = subprocess.run([node, "restart_test.js", name], cwd=d,
                             env=dict(os.environ, BULLMQ_PORT=str(port)),
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 0 and name + " ok" in run.stdout, (
            run.stdout[-6000:] + run.stderr[-4000:])

    srv = ShaleServer(data_dir=str(tmp_path)).start()
    try:
        phase("fill", srv.port)
    finally:
        srv.kill()
    srv = ShaleServer(data_dir=str(tmp_path)).start()
    try:
        phase("drain", srv.port)
    finally:
        srv.stop()
