"""A real memcached (Debian's, 1.6) on a free loopback port, to compare
shale-server's memcached replies with, byte for byte."""
import os
import shutil
import socket
import subprocess
import time

import pytest

from conftest import free_port, wait_for


def memcached_binary():
    return shutil.which("memcached") or (
        "/usr/bin/memcached" if os.path.exists("/usr/bin/memcached") else None)


def start_memcached(extra_args=()):
    """Starts memcached; returns (process, port). Skips the test if memcached
    is not installed (scripts/deps.sh installs it)."""
    binary = memcached_binary()
    if binary is None:
        pytest.skip("memcached is not installed (scripts/deps.sh installs it)")
    for _ in range(5):
        port = free_port()
        args = [binary, "-l", "127.0.0.1", "-p", str(port), "-U", "0",
                *extra_args]
        if os.geteuid() == 0:
            args += ["-u", "root"]
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)

        def up():
            if proc.poll() is not None:
                return True
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                return True
            except OSError:
                return False
        wait_for(up, 10, "memcached")
        if proc.poll() is None:
            return proc, port
    pytest.fail("memcached did not start")


def stop_memcached(proc):
    proc.kill()
    proc.wait()


def session(port, requests, settle=0.05):
    """Sends each request in turn on one connection and collects what came
    back after each (until a quiet pause); returns the list of replies, the
    last one marked b'<closed>' if the server closed."""
    s = socket.create_connection(("127.0.0.1", port), 5)
    out = []
    try:
        for req in requests:
            if req:
                s.sendall(req)
            buf = b""
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                s.settimeout(settle if buf else 2)
                try:
                    chunk = s.recv(65536)
                except socket.timeout:
                    if buf:
                        break
                    continue
                except ConnectionResetError:
                    buf += b"<closed>"
                    break
                if not chunk:
                    buf += b"<closed>"
                    break
                buf += chunk
            out.append(buf)
            if buf.endswith(b"<closed>"):
                break
    finally:
        s.close()
    return out


def exchange(port, data):
    """Sends data on a new connection followed by a meta no-op, and returns
    every byte answered before the no-op's "MN"."""
    s = socket.create_connection(("127.0.0.1", port), 5)
    try:
        s.sendall(data + b"mn\r\n")
        buf = b""
        deadline = time.monotonic() + 10
        while not buf.endswith(b"MN\r\n") and time.monotonic() < deadline:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
    finally:
        s.close()
    assert buf.endswith(b"MN\r\n"), buf
    return buf[:-4]
