"""A real redis-server (Debian's, 7.0) on a free loopback port, to compare
shale-server's replies with, in tests that check Redis's exact texts."""
import shutil
import subprocess
import tempfile

import pytest

from conftest import free_port, wait_for


class RealRedis:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="real-redis-")
        self.port = free_port()
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", self.dir, "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def up():
            import redis
            try:
                return redis.Redis(port=self.port).ping()
            except redis.exceptions.ConnectionError:
                return False
        wait_for(up, 20, "redis-server start")

    def redis(self, **kw):
        import redis
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=20,
                           **kw)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(20)
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def real_redis():
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    s = RealRedis()
    yield s
    s.stop()


def reply_of(client, *args):
    """The reply to args, or the error text if it fails."""
    import redis
    try:
        conn = client.connection_pool.get_connection(args[0])
        try:
            conn.send_command(*args)
            return conn.read_response()
        finally:
            client.connection_pool.release(conn)
    except redis.exceptions.ResponseError as e:
        return "error: " + str(e)


def compare_script(ours, theirs, script, unordered=()):
    """Sends each step of script (a tuple of arguments) to both RawConns;
    returns the steps whose replies differ, as (step, ours, theirs). Steps in
    unordered compare as sorted lines (replies whose order differs by
    design)."""
    bad = []
    for step in script:
        a, b = ours.call(*step), theirs.call(*step)
        if step in unordered:
            a, b = sorted(a.split(b"\r\n")), sorted(b.split(b"\r\n"))
        if a != b:
            bad.append((step, a, b))
    return bad


def fresh_raw(port, proto):
    """A RawConn to port after FLUSHALL, speaking RESP proto (2 or 3)."""
    from resp_raw import RawConn
    c = RawConn(port)
    c.call("FLUSHALL")
    if proto == 3:
        c.call("HELLO", "3")
    return c
