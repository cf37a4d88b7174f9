"""Fixtures for shale-server's wire tests: start a real server on free
loopback ports, hand out real clients, stop what was started.

The binary is $SHALE_SERVER, else build-server/shale-server, else
build/shale-server under the repository root.
"""
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def server_binary():
    env = os.environ.get("SHALE_SERVER")
    if env:
        return env
    for d in ("build-server", "build"):
        p = ROOT / d / "shale-server"
        if p.exists():
            return str(p)
    raise RuntimeError("shale-server not built; set SHALE_SERVER")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(cond, timeout=10.0, what="condition"):
    """Polls cond() until it is truthy; fails the test after timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.01)
    raise TimeoutError("timed out waiting for " + what)


class ShaleServer:
    """One shale-server process on free ports, with its own data dir."""

    def __init__(self, data_dir=None, args=(), resp=True, memcache=True,
                 http=True):
        self.own_dir = data_dir is None
        self.dir = data_dir or tempfile.mkdtemp(prefix="shale-test-")
        self.args = list(args)
        self.want = (resp, memcache, http)
        self.proc = None
        self.port = self.mc_port = self.http_port = 0

    def start(self, tries=5):
        for _ in range(tries):
            ports = [free_port() if w else 0 for w in self.want]
            port_file = os.path.join(self.dir, "ports.txt")
            if os.path.exists(port_file):
                os.remove(port_file)
            cmd = [server_binary(), "--dir", os.path.join(self.dir, "data"),
                   "--port", str(ports[0]), "--memcache-port", str(ports[1]),
                   "--http-port", str(ports[2]), "--port-file", port_file,
                   "--log-file", os.path.join(self.dir, "server.log")
                   ] + self.args
            self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.PIPE)
            try:
                wait_for(lambda: self.proc.poll() is not None or
                         os.path.exists(port_file), 20, "server start")
            except TimeoutError:
                self.kill()
                raise
            if self.proc.poll() is None:
                self.port, self.mc_port, self.http_port = ports
                return self
            # Most likely a port was taken between probe and bind: retry.
        raise RuntimeError("shale-server did not start: " + self.log())

    def log(self):
        try:
            return open(os.path.join(self.dir, "server.log")).read()
        except OSError:
            return ""

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.proc = None
        return rc

    def kill(self):
        return self.stop(signal.SIGKILL)

    def cleanup(self):
        self.stop()
        if self.own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def redis(self, **kw):
        import redis
        return redis.Redis(host="127.0.0.1", port=self.port,
                           socket_timeout=20, **kw)


@pytest.fixture(scope="module")
def server():
    s = ShaleServer().start()
    yield s
    s.cleanup()


@pytest.fixture
def r(server):
    c = server.redis()
    c.flushall()
    yield c
    c.close()


@pytest.fixture
def rb(server):
    """A client that decodes replies as str."""
    c = server.redis(decode_responses=True)
    c.flushall()
    yield c
    c.close()


def raw_command(port, data, until=None, timeout=10.0):
    """Sends raw bytes; returns what comes back once until(reply) is true or
    the server closes the connection (until=None: wait for the close).
    Returns (reply, closed)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        buf = b""
        deadline = time.monotonic() + timeout
        while until is None or not until(buf):
            s.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                b = s.recv(65536)
            except socket.timeout:
                raise TimeoutError("no complete reply; got %r" % buf[:200])
            except ConnectionResetError:
                return buf, True
            if not b:
                return buf, True
            buf += b
        return buf, False


def cmd(client, *args):
    """Runs a command on a redis-py client without its reply callbacks: the
    reply exactly as the server sent it (errors still raise)."""
    conn = client.connection_pool.get_connection(args[0])
    try:
        conn.send_command(*args)
        return conn.read_response()
    finally:
        client.connection_pool.release(conn)
