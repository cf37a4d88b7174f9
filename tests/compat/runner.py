"""Runs a sequence of operations on redis-server and shale-server in
lockstep and compares what each connection receives.

Framing: after every operation the runner pipelines `PING <token>` on the
same connection and reads frames until the answer to that PING. Everything
before it is what the operation produced on that connection: its reply,
several frames for (P)SUBSCRIBE-like commands, push messages delivered
since the last operation on that connection, a late reply of a blocking
command. Inside MULTI the PING would be queued, so there the runner reads
exactly one frame (MULTI itself goes after its PING, then one frame). Whether a connection is in MULTI is taken from Redis's
replies (Redis is the reference).

Blocking across connections: a blocking pop whose timeout is 0 (outside
MULTI) is sent alone. The runner then waits on each server until the
command either replied or shows as blocked in CLIENT LIST (flags=b), and
compares which of the two happened. A blocked connection stays blocked
while operations run on the others (a push there serves it). Before the
next operation on it, and at the end of the sequence, an admin connection
sends `CLIENT UNBLOCK <id>` on each server (:1 if it still waited, :0 if a
write served it: compared), then the runner collects what the connection
received, as for any operation.
"""
import time

import normalize
from gen import CONNECTIONS, TimeArg
from resp import Closed, Conn, Frame, ProtocolError, Timeout, encode, show


class Mismatch:
    def __init__(self, index, op, args, redis, shale, note=""):
        self.index = index
        self.op = op
        self.args = args
        self.redis = redis
        self.shale = shale
        self.note = note

    def name(self):
        return self.op.name() if self.op is not None else "<end>"

    def describe(self):
        lines = ["op #%d on c%d: %s" % (
            self.index, self.op.conn if self.op else -1,
            format_args(self.args) if self.args else "<end of sequence>")]
        if self.note:
            lines.append("  " + self.note)
        lines.append("  redis: " + "; ".join(show(f) for f in self.redis))
        lines.append("  shale: " + "; ".join(show(f) for f in self.shale))
        return "\n".join(lines)


def format_args(args, limit=120):
    from resp import quote
    out = []
    for a in args:
        if isinstance(a, TimeArg):
            out.append(repr(a))
        else:
            out.append(quote(a, limit))
    return " ".join(out)


# Blocking commands, and where their timeout argument is.
BLOCKING = {"BLPOP": -1, "BRPOP": -1, "BZPOPMIN": -1, "BZPOPMAX": -1,
            "BLMOVE": -1, "BRPOPLPUSH": -1, "BLMPOP": 1, "BZMPOP": 1}


def blocks_forever(name, args):
    """True for a blocking command with timeout 0 (the runner's blocking
    path); other timeouts are short or invalid and answered in time.
    XREAD's timeout follows its BLOCK option, before STREAMS."""
    if name in ("XREAD", "XREADGROUP"):
        for i in range(1, len(args) - 1):
            opt = args[i].upper()
            if opt == b"STREAMS":
                return False
            if opt == b"BLOCK":
                return args[i + 1] == b"0"
        return False
    pos = BLOCKING.get(name)
    return pos is not None and len(args) > 2 and args[pos] == b"0"


class _ConnState:
    def __init__(self):
        self.in_multi = False
        self.queued = []
        # Per server: the CLIENT ID of this connection while it is blocked.
        self.blocked_ids = None
        # The longest short expiry queued in this MULTI: it starts at EXEC.
        self.settle_ms = 0


class _Side:
    """One server's client connections, opened on first use."""

    def __init__(self, server):
        self.server = server
        self.conns = {}

    def conn(self, i):
        c = self.conns.get(i)
        if c is None or c.closed:
            c = Conn(self.server.port)
            self.conns[i] = c
        return c

    def close_all(self):
        for c in self.conns.values():
            c.close()
        self.conns = {}


def _is_marker(f, token):
    if f.kind == "$" and f.value == token:
        return True
    return (f.kind in ("*", ">") and isinstance(f.value, list)
            and len(f.value) == 2 and f.value[0].value == b"pong"
            and f.value[1].value == token)


class Runner:
    def __init__(self, redis, shale, families):
        self.sides = [_Side(redis), _Side(shale)]
        self.servers = (redis, shale)
        self.reset_cmds = [c for f in families for c in f.reset]
        self.admin = None
        self.token_n = 0
        self.state = {}

    def close(self):
        for s in self.sides:
            s.close_all()
        if self.admin:
            for c in self.admin:
                c.close()

    def reset(self):
        """Fresh connections and an empty keyspace on both servers."""
        for s in self.sides:
            s.close_all()
        self.state = {i: _ConnState() for i in range(CONNECTIONS)}
        if self.admin is None or any(c.closed for c in self.admin):
            self.admin = [Conn(s.port) for s in self.servers]
        for c in self.admin:
            for cmd in [[b"FLUSHALL"]] + self.reset_cmds:
                c.send_command(cmd)
                c.read()

    def _reclaim_expired(self, databases=16):
        """A full SCAN of every database on both servers, on the admin
        connections: Redis reclaims the expired keys it visits (see
        normalize.db_size), so a DBSIZE queued in MULTI counts what shale's
        does."""
        for c in self.admin:
            for db in range(databases):
                c.send_command([b"SELECT", str(db).encode()])
                c.read()
                normalize.scan_all(c, [b"SCAN", b"0", b"COUNT", b"1000"])
            c.send_command([b"SELECT", b"0"])
            c.read()

    # -- one operation --
    def _collect(self, conn, token):
        frames = []
        try:
            while True:
                f = conn.read()
                if token is not None and _is_marker(f, token):
                    break
                frames.append(f)
                if token is None:
                    break
        except Closed:
            frames.append(Frame("?", b"<connection closed>"))
        except Timeout:
            frames.append(Frame("?", b"<no reply>"))
            conn.close()
        except (ProtocolError, ValueError) as e:
            frames.append(Frame("?", ("<protocol error: %s>" % e).encode()))
            conn.close()
        return frames

    def _exchange(self, conn_index, args, use_marker, marker_first=False):
        """Sends args (and the marker PING after it, or before it if
        marker_first) and collects what each side's connection receives.
        args None: only the marker (what arrived since the last operation)."""
        self.token_n += 1
        token = b"compat-sync-%d" % self.token_n if use_marker else None
        payload = encode(args) if args is not None else b""
        if token is not None:
            ping = encode([b"PING", token])
            payload = ping + payload if marker_first else payload + ping
        conns = []
        for side in self.sides:
            c = side.conn(conn_index)
            try:
                c.send(payload)
            except Closed:
                pass
            conns.append(c)
        if not marker_first:
            return [self._collect(c, token) for c in conns]
        out = []
        for c in conns:
            frames = self._collect(c, token)
            if not any(f.kind == "?" for f in frames):
                frames += self._collect(c, None)
            out.append(frames)
        return out

    def _drive(self, driver, conn_index, args):
        out = []
        for side in self.sides:
            c = side.conn(conn_index)
            try:
                out.append(driver(c, args))
            except Closed:
                out.append([Frame("?", b"<connection closed>")])
            except Timeout:
                c.close()
                out.append([Frame("?", b"<no reply>")])
        return out

    # -- blocked connections --
    def _blocked_ids(self, side_index):
        """The CLIENT IDs of connections that CLIENT LIST shows blocked."""
        c = self.admin[side_index]
        c.send_command([b"CLIENT", b"LIST"])
        out = set()
        for line in c.read().value.split(b"\n"):
            fields = dict(f.split(b"=", 1) for f in line.split(b" ")
                          if b"=" in f)
            if b"b" in fields.get(b"flags", b""):
                out.add(fields[b"id"])
        return out

    def _send_blocking(self, index, op, args):
        """Sends a blocking command with timeout 0 and waits on each server
        until it replied or blocked. None, or the Mismatch of the two."""
        known = [set(self.state[i].blocked_ids[k]
                     for i in self.state if self.state[i].blocked_ids)
                 for k in range(2)]
        outcome = []
        for k, side in enumerate(self.sides):
            c = side.conn(op.conn)
            try:
                c.send(encode(args))
            except Closed:
                outcome.append(("replied", None))
                continue
            deadline = time.monotonic() + c.timeout
            while True:
                if c.pending() or c.closed:
                    outcome.append(("replied", None))
                    break
                new = self._blocked_ids(k) - known[k]
                if len(new) == 1:
                    outcome.append(("blocked", new.pop()))
                    break
                if time.monotonic() > deadline:
                    outcome.append(("replied", None))  # read times out
                    break
                time.sleep(0.001)  # polling a condition, not a delay
        kinds = [o[0] for o in outcome]
        if kinds[0] != kinds[1]:
            show_ = [[Frame("?", b"<blocked>")] if k == "blocked" else
                     [Frame("?", b"<replied>")] for k in kinds]
            return Mismatch(index, op, args, show_[0], show_[1],
                            "blocked on one server only")
        if kinds[0] == "blocked":
            self.state[op.conn].blocked_ids = [o[1] for o in outcome]
            return None
        rf, sf = self._exchange(op.conn, None, True)
        return self._compare(index, op, args, rf, sf, None)

    def _release(self, index, conn_index):
        """Unblocks a blocked connection (CLIENT UNBLOCK on each server)
        and compares the answers and what the connection received."""
        st = self.state[conn_index]
        ids, st.blocked_ids = st.blocked_ids, None
        answers = []
        for k, c in enumerate(self.admin):
            c.send_command([b"CLIENT", b"UNBLOCK", ids[k]])
            answers.append([c.read()])
        note = "CLIENT UNBLOCK of c%d" % conn_index
        if answers[0] != answers[1]:
            return Mismatch(index, None, None, answers[0], answers[1], note)
        rf, sf = self._exchange(conn_index, None, True)
        if rf != sf:
            return Mismatch(index, None, None, rf, sf,
                            "what blocked c%d received" % conn_index)
        return None

    def step(self, index, op):
        now_ms = int(time.time() * 1000)
        args = [a.resolve(now_ms) if isinstance(a, TimeArg) else a
                for a in op.args]
        name = args[0].upper().decode("latin-1")
        st = self.state[op.conn]
        if st.blocked_ids is not None:
            m = self._release(index, op.conn)
            if m is not None:
                return m
        if not st.in_multi and blocks_forever(name, args):
            return self._send_blocking(index, op, args)
        driver = None if st.in_multi else normalize.DRIVERS.get(name)
        if name == "EXEC" and st.in_multi and any(
                q[0].upper() == b"DBSIZE" for q in st.queued):
            self._reclaim_expired()
        if driver is not None:
            rf, sf = self._drive(driver, op.conn, args)
        else:
            # MULTI's reply is its last frame: a marker after it would be
            # queued, so the marker goes first (it collects pushes that
            # arrived before).
            rf, sf = self._exchange(op.conn, args, not st.in_multi,
                                    marker_first=name == "MULTI" and
                                    not st.in_multi)
        done = time.monotonic()
        queued = list(st.queued)
        was_multi = st.in_multi
        settle_ms = op.settle_ms
        if was_multi:
            # A queued relative expiry starts at EXEC (both servers run an
            # EXEC with one clock reading, Redis's cached command time), an
            # absolute one is already running: wait now and after EXEC.
            st.settle_ms = max(st.settle_ms, op.settle_ms)
            if name in ("EXEC", "DISCARD", "RESET"):
                settle_ms, st.settle_ms = max(settle_ms, st.settle_ms), 0
        self._track(st, name, args, rf)
        m = self._compare(index, op, args, rf, sf, queued if was_multi and
                          name == "EXEC" else None)
        if settle_ms:
            # Wait until the expiry the command set has passed on both
            # servers (each set it before its reply, which came before now).
            wait = done + (settle_ms + 2) / 1000.0 - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        return m

    def _track(self, st, name, args, rf):
        last = rf[-1] if rf else None
        if last is None or last.kind == "?":
            if any(f.value == b"<connection closed>" for f in rf):
                st.in_multi, st.queued = False, []
            return
        arity_error = last.is_error() and last.value.startswith(
            b"ERR wrong number of arguments")
        if arity_error:
            # A command refused for its arity changes no state (inside
            # MULTI it flags the transaction, which stays open).
            return
        if name in ("EXEC", "DISCARD", "RESET"):
            st.in_multi, st.queued = False, []
        elif st.in_multi:
            if last.kind == "+" and last.value == b"QUEUED":
                st.queued.append(args)
        elif name == "MULTI" and last.kind == "+" and last.value == b"OK":
            st.in_multi, st.queued = True, []

    def _compare(self, index, op, args, rf, sf, exec_queued):
        if len(rf) != len(sf):
            return Mismatch(index, op, args, rf, sf,
                            "different number of frames")
        for i, (r, s) in enumerate(zip(rf, sf)):
            is_reply = i == len(rf) - 1
            if is_reply and exec_queued is not None and r.kind == "*" and \
                    s.kind == "*" and isinstance(r.value, list) and \
                    isinstance(s.value, list) and \
                    len(r.value) == len(s.value) == len(exec_queued):
                for qa, re, se in zip(exec_queued, r.value, s.value):
                    if not normalize.compare(qa, normalize.normalize(qa, re),
                                             normalize.normalize(qa, se)):
                        return Mismatch(index, op, args, rf, sf,
                                        "EXEC reply of %s differs" %
                                        format_args(qa, 40))
                continue
            if is_reply:
                r, s = normalize.normalize(args, r), normalize.normalize(args, s)
                if normalize.compare(args, r, s):
                    continue
            elif r == s:
                continue
            return Mismatch(index, op, args, rf, sf)
        return None

    def finish(self, index):
        """Collects what is left on every connection (pushes after the
        last operation) and compares it."""
        for i in range(CONNECTIONS):
            if self.state[i].blocked_ids is not None:
                m = self._release(index, i)
                if m is not None:
                    return m
            if self.state[i].in_multi:
                continue
            if all(i not in s.conns for s in self.sides):
                continue
            rf, sf = self._exchange(i, [b"PING", b"end"], True)
            if rf != sf:
                return Mismatch(index, None, None, rf, sf,
                                "left on c%d at the end" % i)
        return None

    def run(self, ops):
        """None if both servers answered alike, else the first Mismatch."""
        self.reset()
        for i, op in enumerate(ops):
            m = self.step(i, op)
            if m is not None:
                return m
        return self.finish(len(ops))
