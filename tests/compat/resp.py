"""A raw RESP2/RESP3 client for the differential harness.

Nothing here interprets replies the way a client library would: a reply is
kept as the exact bytes the server sent (`Frame.raw`) and as a parsed tree
(`Frame.kind`, `Frame.value`) that the normalisers in normalize.py may
rewrite. Two frames whose trees are equal were byte-identical on the wire,
because RESP has one encoding per tree (lengths are decimal without leading
zeros, every line ends in CRLF).
"""
import socket
import time


class ProtocolError(Exception):
    pass


class Closed(Exception):
    """The server closed the connection."""


class Timeout(Exception):
    pass


# Aggregate types and how many children each counted element has.
AGGREGATES = {b"*": 1, b"~": 1, b">": 1, b"%": 2, b"|": 2}
# Types whose payload is a length-prefixed blob.
BLOBS = (b"$", b"=", b"!")
# Types whose payload is the rest of the line.
LINES = (b"+", b"-", b":", b",", b"#", b"(", b"_")


class Frame:
    """One reply. kind is the type byte as a str ('+', '$', '*', ...);
    value is bytes for simple types, None for a null, a list of Frames
    for aggregates (a map's list alternates key, value)."""

    __slots__ = ("kind", "value", "raw")

    def __init__(self, kind, value, raw=b""):
        self.kind = kind
        self.value = value
        self.raw = raw

    def key(self):
        """A hashable, comparable form of the tree."""
        if isinstance(self.value, list):
            return (self.kind, tuple(f.key() for f in self.value))
        return (self.kind, self.value)

    def __eq__(self, other):
        return isinstance(other, Frame) and self.key() == other.key()

    def __hash__(self):
        return hash(self.key())

    def is_error(self):
        return self.kind == "-" or self.kind == "!"

    def text(self):
        return self.value.decode("utf-8", "replace") if isinstance(
            self.value, bytes) else None

    def __repr__(self):
        return show(self)


def show(frame, limit=200):
    """A one-line human form of a frame, e.g. *2[$"a", :3]."""
    if frame.value is None:
        return frame.kind + "null"
    if isinstance(frame.value, list):
        inner = ", ".join(show(f, limit) for f in frame.value[:20])
        if len(frame.value) > 20:
            inner += ", ... (%d)" % len(frame.value)
        return "%s%d[%s]" % (frame.kind, len(frame.value), inner)
    return frame.kind + quote(frame.value, limit)


def quote(b, limit=200):
    """bytes -> a double-quoted string with redis-cli's escapes."""
    out = []
    for c in b[:limit]:
        ch = chr(c)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif 32 <= c < 127:
            out.append(ch)
        else:
            out.append("\\x%02x" % c)
    s = '"' + "".join(out) + '"'
    if len(b) > limit:
        s += "...(%d bytes)" % len(b)
    return s


def encode(args):
    """A command as a RESP multibulk request."""
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        elif isinstance(a, int):
            a = str(a).encode()
        parts.append(b"$%d\r\n" % len(a))
        parts.append(a)
        parts.append(b"\r\n")
    return b"".join(parts)


class Conn:
    """One connection. Not thread-safe."""

    def __init__(self, port, timeout=10.0):
        self.sock = socket.create_connection(("127.0.0.1", port),
                                             timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.pos = 0
        self.timeout = timeout
        self.closed = False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
        self.closed = True

    def send(self, data):
        try:
            self.sock.sendall(data)
        except OSError as e:
            self.closed = True
            raise Closed(str(e))

    def send_command(self, args):
        self.send(encode(args))

    def _fill(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise Timeout("no reply within %.1fs" % self.timeout)
        self.sock.settimeout(remaining)
        try:
            b = self.sock.recv(1 << 20)
        except socket.timeout:
            raise Timeout("no reply within %.1fs" % self.timeout)
        except OSError as e:
            self.closed = True
            raise Closed(str(e))
        if not b:
            self.closed = True
            raise Closed("connection closed by the server")
        if self.pos > 0 and self.pos == len(self.buf):
            self.buf.clear()
            self.pos = 0
        self.buf += b

    def _line(self, deadline):
        while True:
            i = self.buf.find(b"\r\n", self.pos)
            if i >= 0:
                line = bytes(self.buf[self.pos:i])
                self.pos = i + 2
                return line
            self._fill(deadline)

    def _exact(self, n, deadline):
        while len(self.buf) - self.pos < n + 2:
            self._fill(deadline)
        data = bytes(self.buf[self.pos:self.pos + n])
        if self.buf[self.pos + n:self.pos + n + 2] != b"\r\n":
            raise ProtocolError("blob not followed by CRLF")
        self.pos += n + 2
        return data

    def read(self, timeout=None):
        """Reads one frame (pushes are frames too)."""
        deadline = time.monotonic() + (timeout or self.timeout)
        start = self.pos
        frame = self._read(deadline)
        frame.raw = bytes(self.buf[start:self.pos])
        return frame

    def _read(self, deadline):
        line = self._line(deadline)
        if not line:
            raise ProtocolError("empty line")
        t, rest = line[:1], line[1:]
        kind = t.decode("latin-1")
        if t in LINES:
            return Frame(kind, None if t == b"_" else rest)
        if t in BLOBS:
            n = int(rest)
            if n < 0:
                return Frame(kind, None)
            return Frame(kind, self._exact(n, deadline))
        if t in AGGREGATES:
            n = int(rest)
            if n < 0:
                return Frame(kind, None)
            items = [self._read(deadline) for _ in range(n * AGGREGATES[t])]
            return Frame(kind, items)
        raise ProtocolError("unknown type byte %r in %r" % (t, line[:80]))

    def pending(self):
        """True if bytes are buffered or readable without blocking."""
        if self.pos < len(self.buf):
            return True
        self.sock.settimeout(0)
        try:
            b = self.sock.recv(1 << 20)
        except (BlockingIOError, socket.timeout):
            return False
        except OSError:
            self.closed = True
            return False
        if not b:
            self.closed = True
            return False
        self.buf += b
        return True
