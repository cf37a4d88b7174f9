"""Starts Debian's redis-server and shale-server side by side on free
loopback ports, each with its own temporary directory, and stops them."""
import os
import pathlib
import shutil
import socket
import subprocess
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]

# Both servers refuse values (and SETRANGE/APPEND results) above this size
# with the same error; a small limit lets the harness reach it cheaply.
MAX_BULK = 4 << 20


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shale_binary():
    env = os.environ.get("SHALE_SERVER")
    if env:
        return env
    for d in ("build", "build-server"):
        p = ROOT / d / "shale-server"
        if p.exists():
            return str(p)
    raise RuntimeError("shale-server not built; set SHALE_SERVER")


def redis_binary():
    return os.environ.get("REDIS_SERVER", "/usr/bin/redis-server")


def _ping(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(64).startswith(b"+PONG")
    except OSError:
        return False


class Server:
    """One server process. name is 'redis' or 'shale'."""

    def __init__(self, name):
        self.name = name
        self.dir = tempfile.mkdtemp(prefix="shale-compat-%s-" % name)
        self.proc = None
        self.port = 0
        self.log_path = os.path.join(self.dir, "server.log")

    def _command(self, port):
        if self.name == "redis":
            return [redis_binary(), "--port", str(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--dir", self.dir,
                    "--logfile", self.log_path, "--daemonize", "no",
                    "--proto-max-bulk-len", str(MAX_BULK)]
        return [shale_binary(), "--dir", os.path.join(self.dir, "data"),
                "--port", str(port), "--memcache-port", "0", "--http-port",
                "0", "--log-file", self.log_path, "--max-value-bytes",
                str(MAX_BULK), "--fsync", "no"]

    def start(self, tries=5):
        for _ in range(tries):
            port = free_port()
            self.proc = subprocess.Popen(self._command(port),
                                         stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and self.proc.poll() is None:
                if _ping(port):
                    self.port = port
                    return self
                time.sleep(0.01)
            self.stop()
            # Most likely the port was taken between probe and bind: retry.
        raise RuntimeError("%s did not start:\n%s" % (self.name, self.log()))

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def start_pair():
    """(redis, shale), both running. The caller cleans both up."""
    redis = Server("redis").start()
    try:
        shale = Server("shale").start()
    except Exception:
        redis.cleanup()
        raise
    return redis, shale
