"""Real job queues against shale-server, unchanged: Celery (python3-celery,
Redis broker and result backend), Sidekiq (ruby-sidekiq) and RQ
(python3-rq 1.13). Each runs its own worker process on the server and is
checked by what the jobs did.

Celery and Sidekiq need Lua scripts (kombu's and Sidekiq's EVALSHA)
besides lists, sorted sets, hashes, sets, pub/sub and MULTI; RQ keeps each
job's results in a stream (XADD MAXLEN 10, XREVRANGE, XLEN) once the
server says it is Redis 5 or newer. `SHALE_APPS_TARGET=PORT` runs
the same tests against a server already listening there (e.g. a
redis-server, to check the tests themselves)."""
import gc
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap

import pytest

from conftest import ShaleServer, wait_for

CELERY_APP = """
    import os
    from celery import Celery
    url = "redis://127.0.0.1:%s/" % os.environ["APP_PORT"]
    app = Celery("qapp", broker=url + "0", backend=url + "1")
    app.conf.worker_hijack_root_logger = False

    @app.task
    def add(a, b):
        return a + b

    @app.task
    def total(xs):
        return sum(xs)

    @app.task
    def fail():
        raise ValueError("boom")
"""

CELERY_WORKER = """
    import qapp
    qapp.app.worker_main(["worker", "--pool=solo", "--loglevel=WARNING",
                          "--without-heartbeat", "--without-mingle",
                          "--without-gossip"])
"""

SIDEKIQ_APP = """
    require "sidekiq"
    url = "redis://127.0.0.1:#{ENV["APP_PORT"]}/0"
    Sidekiq.configure_client { |c| c.redis = { url: url } }
    Sidekiq.configure_server { |c| c.redis = { url: url } }

    class AddJob
      include Sidekiq::Worker
      sidekiq_options retry: 1
      def perform(a, b)
        Sidekiq.redis { |r| r.incrby("sum", a + b) }
      end
    end

    class FailJob
      include Sidekiq::Worker
      sidekiq_options retry: 1
      def perform
        raise "boom"
      end
    end

    if ENV["APP_PUSH"]
      AddJob.perform_async(1, 2)
      Sidekiq::Client.push_bulk("class" => AddJob, "args" => [[1, 1], [2, 2]])
      AddJob.perform_in(1, 5, 5)
      FailJob.perform_async
    end
"""


RQ_APP = """
    def add(a, b):
        return a + b

    def fail():
        raise ValueError("boom")
"""

RQ_WORKER = """
    import os
    import redis
    from rq import Queue, Worker
    c = redis.Redis(host="127.0.0.1", port=int(os.environ["APP_PORT"]))
    w = Worker([Queue("default", connection=c)], connection=c)
    w.work(burst=True, with_scheduler=True, logging_level="WARNING")
"""


@pytest.fixture(scope="module")
def port():
    env = os.environ.get("SHALE_APPS_TARGET")
    if env:
        yield int(env)
        return
    s = ShaleServer().start()
    yield s.port
    s.cleanup()


@pytest.fixture
def workdir():
    d = tempfile.mkdtemp(prefix="shale-apps-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


def write(d, name, text):
    with open(os.path.join(d, name), "w") as f:
        f.write(textwrap.dedent(text))


def client(port):
    import redis
    c = redis.Redis(host="127.0.0.1", port=port, socket_timeout=20)
    c.flushall()
    return c


def stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_celery_tasks_groups_chords_countdown_failure(port, workdir):
    pytest.importorskip("celery", reason="python3-celery is not installed")
    client(port).close()
    write(workdir, "qapp.py", CELERY_APP)
    write(workdir, "worker.py", CELERY_WORKER)
    env = dict(os.environ, APP_PORT=str(port), PYTHONPATH=workdir)
    log = open(os.path.join(workdir, "worker.log"), "w+")
    worker = subprocess.Popen([sys.executable, "worker.py"], cwd=workdir,
                              env=env, stdout=log, stderr=subprocess.STDOUT)
    sys.path.insert(0, workdir)
    os.environ["APP_PORT"] = str(port)
    try:
        import qapp
        from celery import chord, group
        assert qapp.add.delay(1, 2).get(timeout=30) == 3
        assert group(qapp.add.s(i, i) for i in range(5))().get(
            timeout=30) == [0, 2, 4, 6, 8]
        assert chord(qapp.add.s(i, i) for i in range(4))(
            qapp.total.s()).get(timeout=30) == 12
        assert qapp.add.apply_async((2, 2), countdown=1).get(timeout=30) == 4
        with pytest.raises(ValueError, match="boom"):
            qapp.fail.delay().get(timeout=30)
    except Exception:
        log.seek(0)
        print(log.read()[-4000:])
        raise
    finally:
        # Results unsubscribe when collected: while the server is up.
        gc.collect()
        sys.path.remove(workdir)
        sys.modules.pop("qapp", None)
        stop(worker)
        log.close()


def test_sidekiq_jobs_scheduled_and_retried(port, workdir):
    if shutil.which("sidekiq") is None:
        pytest.skip("ruby-sidekiq is not installed")
    c = client(port)
    write(workdir, "app.rb", SIDEKIQ_APP)
    env = dict(os.environ, APP_PORT=str(port))
    subprocess.run(["ruby", "app.rb"], cwd=workdir, check=True, timeout=60,
                   env=dict(env, APP_PUSH="1"), stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    # perform_async, push_bulk (two) and the failing job wait in the queue;
    # perform_in waits in the schedule set.
    assert c.llen("queue:default") == 4
    assert c.zcard("schedule") == 1
    log = open(os.path.join(workdir, "worker.log"), "w+")
    worker = subprocess.Popen(["sidekiq", "-r", "./app.rb", "-c", "1", "-t",
                               "1"], cwd=workdir, env=env, stdout=log,
                              stderr=subprocess.STDOUT)
    try:
        # 1+2, 1+1, 2+2, and 5+5 once the scheduler (its Lua
        # ZPOPBYSCORE) moved it to the queue; the failure goes to retry.
        wait_for(lambda: c.get("sum") == b"19" and c.zcard("retry") == 1,
                 60, "sidekiq to run every job")
        assert c.zcard("schedule") == 0
        assert c.llen("queue:default") == 0
        assert c.get("stat:processed") is not None
        assert int(c.get("stat:failed")) == 1
    except Exception:
        log.seek(0)
        print(log.read()[-4000:])
        raise
    finally:
        stop(worker)
        log.close()
        c.close()


def test_rq_jobs_results_failures_and_scheduler(port, workdir):
    """RQ 1.13: jobs enqueued, one due in the scheduled registry, a burst
    worker with its scheduler; results read back from each job's stream
    (Result.fetch_latest: XREVRANGE + - COUNT 1; Result.all: XREVRANGE;
    Result.count: XLEN), the failure in the failed registry."""
    pytest.importorskip("rq", reason="python3-rq is not installed")
    from datetime import datetime, timedelta, timezone
    from rq import Queue
    from rq.registry import FailedJobRegistry, ScheduledJobRegistry
    from rq.results import Result
    c = client(port)
    write(workdir, "rqapp.py", RQ_APP)
    write(workdir, "worker.py", RQ_WORKER)
    q = Queue("default", connection=c)
    ok = q.enqueue("rqapp.add", 1, 2)
    bad = q.enqueue("rqapp.fail")
    due = q.enqueue_at(datetime.now(timezone.utc) - timedelta(seconds=5),
                       "rqapp.add", 5, 5)
    assert due.id in ScheduledJobRegistry(queue=q).get_job_ids()
    assert len(q) == 2
    env = dict(os.environ, APP_PORT=str(port), PYTHONPATH=workdir)
    run = subprocess.run([sys.executable, "worker.py"], cwd=workdir,
                         env=env, capture_output=True, timeout=120)
    assert run.returncode == 0, run.stderr.decode()[-4000:]
    for job in (ok, bad, due):
        job.refresh()
    assert ok.get_status() == "finished"
    assert ok.return_value() == 3
    assert ok.latest_result().type == Result.Type.SUCCESSFUL
    assert [r.return_value for r in ok.results()] == [3]
    assert Result.count(ok) == 1
    assert c.type("rq:results:%s" % ok.id) == b"stream"
    assert due.get_status() == "finished" and due.return_value() == 10
    assert bad.get_status() == "failed"
    assert bad.id in FailedJobRegistry(queue=q).get_job_ids()
    latest = bad.latest_result()
    assert latest.type == Result.Type.FAILED
    assert "boom" in latest.exc_string
    assert len(q) == 0
    c.close()
