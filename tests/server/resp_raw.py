"""Byte-exact RESP for wire tests: a connection that sends commands and
returns each reply exactly as the server framed it (compare with
real_redis.py's redis-server).

RawConn.reply() returns one whole reply (RESP2 or RESP3, pushes included)
as bytes, so a test can assert that shale-server sends the same bytes as
redis-server 7.0 for the same commands.
"""
import socket
import time


def encode(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, int):
            a = str(a)
        if isinstance(a, str):
            a = a.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class RawConn:
    def __init__(self, port, timeout=10.0):
        self.sock = socket.create_connection(("127.0.0.1", port),
                                             timeout=timeout)
        self.buf = b""
        self.timeout = timeout

    def close(self):
        self.sock.close()

    def send(self, *args):
        self.sock.sendall(encode(*args))

    def call(self, *args):
        self.send(*args)
        return self.reply()

    def _fill(self, deadline):
        self.sock.settimeout(max(0.001, deadline - time.monotonic()))
        b = self.sock.recv(1 << 16)
        if not b:
            raise ConnectionError("closed by server")
        self.buf += b

    def _line_end(self, pos, deadline):
        while True:
            i = self.buf.find(b"\r\n", pos)
            if i >= 0:
                return i
            self._fill(deadline)

    def _skip(self, pos, deadline):
        """Returns the offset just past the reply that starts at pos."""
        end = self._line_end(pos, deadline)
        t, head = self.buf[pos:pos + 1], self.buf[pos + 1:end]
        nxt = end + 2
        if t in b"+-:_,#(":
            return nxt
        if t in b"$=!":
            n = int(head)
            if n < 0:
                return nxt
            while len(self.buf) < nxt + n + 2:
                self._fill(deadline)
            return nxt + n + 2
        if t in b"*~>%|":
            n = int(head)
            if t in b"%|":
                n *= 2
            for _ in range(max(n, 0)):
                nxt = self._skip(nxt, deadline)
            return nxt
        raise ValueError("bad reply type %r in %r" % (t, self.buf[:200]))

    def reply(self, timeout=None):
        deadline = time.monotonic() + (timeout or self.timeout)
        while not self.buf:
            self._fill(deadline)
        end = self._skip(0, deadline)
        r, self.buf = self.buf[:end], self.buf[end:]
        return r

    def replies(self, n, timeout=None):
        return [self.reply(timeout) for _ in range(n)]

    def nothing_within(self, seconds):
        """True if no byte arrives for `seconds` (for replies that must not
        come: CLIENT REPLY OFF, a paused client)."""
        if self.buf:
            return False
        self.sock.settimeout(seconds)
        try:
            b = self.sock.recv(1 << 16)
        except socket.timeout:
            return True
        finally:
            self.sock.settimeout(self.timeout)
        self.buf += b
        return False

    def closed_within(self, seconds):
        """True if the server closes the connection within `seconds`
        (anything it sends first is dropped)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.001, deadline - time.monotonic()))
            try:
                b = self.sock.recv(1 << 16)
            except socket.timeout:
                return False
            except ConnectionResetError:
                return True
            if not b:
                return True
        return False
