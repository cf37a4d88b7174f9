"""The sequence generator's core: what a command family declares (Cmd,
Family), the argument drawers every family shares (Gen), and the
generator of a seeded sequence of operations (generate).

A family module (families/<name>.py) declares its commands in a table:

    FAMILY = Family("strings", [
        Cmd("GET", lambda g: [g.key()]),
        Cmd("SET", set_args, weight=4),
        ...
    ])

Each `build(g)` returns the arguments after the command name, drawn with
the shared drawers below so that families collide on the same keys and
values (which is how wrong-type errors and cross-command edge cases come
up). The core then sometimes damages the arity, changes the letter case of
the name, and picks the connection the operation runs on.
"""
import random

# How many client connections a sequence interleaves (per server).
CONNECTIONS = 3


class TimeArg:
    """An absolute time drawn relative to "now": the runner resolves it just
    before sending, to the same value for both servers, so that a replayed
    sequence means the same thing at any later date."""

    __slots__ = ("offset_ms", "unit_ms")

    def __init__(self, offset_ms, unit_ms):
        self.offset_ms = offset_ms
        self.unit_ms = unit_ms  # 1000: seconds, 1: milliseconds

    def resolve(self, now_ms):
        return str((now_ms + self.offset_ms) // self.unit_ms).encode()

    def to_json(self):
        return {"now_plus_ms": self.offset_ms, "unit_ms": self.unit_ms}

    def __repr__(self):
        unit = "s" if self.unit_ms == 1000 else "ms"
        return "<now%+dms in %s>" % (self.offset_ms, unit)


class Op:
    """One command on one connection.

    settle_ms: the command may set an expiry this many ms ahead; the runner
    waits until that instant has passed before the next operation, so that
    both servers see the key expired (never a race between them).
    """

    __slots__ = ("conn", "args", "settle_ms")

    def __init__(self, conn, args, settle_ms=0):
        self.conn = conn
        self.args = args
        self.settle_ms = settle_ms

    def name(self):
        a = self.args[0]
        return (a.decode("latin-1") if isinstance(a, bytes) else a).upper()

    def to_json(self):
        args = []
        for a in self.args:
            if isinstance(a, TimeArg):
                args.append(a.to_json())
            else:
                args.append({"hex": a.hex()})
        return {"conn": self.conn, "args": args, "settle_ms": self.settle_ms}

    @staticmethod
    def from_json(d):
        args = []
        for a in d["args"]:
            if "hex" in a:
                args.append(bytes.fromhex(a["hex"]))
            else:
                args.append(TimeArg(a["now_plus_ms"], a["unit_ms"]))
        return Op(d["conn"], args, d.get("settle_ms", 0))


class Cmd:
    """One row of a family's table.

    name:    the command (sent in random letter case unless exact_case).
    build:   g -> list of arguments after the name.
    weight:  relative frequency within the family.
    mangle:  whether the core may damage the arity (default True).
    conns:   the connections it may run on (default: any, mostly c0).
    """

    def __init__(self, name, build, weight=1.0, mangle=True,
                 exact_case=False, conns=None):
        self.name = name
        self.conns = conns
        self.build = build
        self.weight = weight
        self.mangle = mangle
        self.exact_case = exact_case


class Family:
    """A command family: its table, its share of a sequence (weight), and
    commands the runner sends to both servers before every sequence to
    return them to a known state (e.g. CONFIG SET of what the family
    changes)."""

    def __init__(self, name, commands, weight=1.0, reset=()):
        self.name = name
        self.commands = commands
        self.weight = weight
        self.reset = list(reset)


# --- shared argument drawers --------------------------------------------------

# Integers around every boundary the servers check.
EDGE_INTS = [
    0, 1, -1, 2, 3, 7, 10, 100, -100, 1000, 65535, 65536, 2**31 - 1, 2**31,
    -2**31, 2**32, 2**53, 2**53 + 1, 2**62, 2**63 - 1, -2**63, 2**63,
    -2**63 - 1, 2**64, 2**64 - 1, 10**20,
]
# Strings that look almost like integers.
NEAR_INTS = [
    b"", b" 1", b"1 ", b"+1", b"01", b"-0", b"0x10", b"1.0", b"1e3", b"abc",
    b"1\x00", b"\xff", b"--1", b"-", b"00", b"9223372036854775807",
    b"-9223372036854775808", b"9223372036854775808", b"-9223372036854775809",
    b"18446744073709551615", b"18446744073709551616",
]
FLOATS = [
    b"0", b"1.5", b"-1.5", b"0.1", b"3.0", b"1e3", b"1E-3", b"-0", b"-0.0",
    b"inf", b"-inf", b"+inf", b"Infinity", b"nan", b"1e308", b"1.7976931348623157e308",
    b"1e309", b"-1e309", b"5e-324", b"1e-400", b"0.1e2", b".5", b"5.", b"+2",
    b"1.23456789012345678901234567890", b"10.50", b"0x10", b"1_0", b" 1",
    b"1 ", b"", b"abc", b"3.14159", b"-3.000000000000000001", b"123456789012345678",
]
WORDS = [b"a", b"foo", b"bar", b"hello world", b"x" * 20, b"0", b"42", b"-7",
         b"OK", b"nil", b"\r\n", b" ", b"*1\r\n$3\r\nfoo\r\n"]
UNICODE = ["ключ", "🔑", "キー", "ä", "e\u0301", "\u200b", "🏳️‍🌈"]


class Gen:
    """Draws arguments for one sequence. Every draw comes from self.rng, so
    a seed determines the whole sequence."""

    def __init__(self, rng):
        self.rng = rng
        self.settle_ms = 0
        # A small key space, so commands meet each other's keys.
        self.key_pool = [b"k%d" % i for i in range(6)] + [
            b"", b"\x00\xff\r\n", "ключ🔑".encode(), b"k" * 300,
            b"{tag}a", b"*?[]",
        ]

    # -- basic draws --
    def chance(self, p):
        return self.rng.random() < p

    def choice(self, seq):
        return self.rng.choice(seq)

    def randint(self, lo, hi):
        return self.rng.randint(lo, hi)

    def some(self, options, lo=0, hi=None):
        """A random subset of options, in random order."""
        hi = len(options) if hi is None else hi
        n = self.rng.randint(lo, min(hi, len(options)))
        return self.rng.sample(options, n)

    def bytes(self, n):
        return bytes(self.rng.getrandbits(8) for _ in range(n))

    def case(self, s):
        """s (an option name) in random letter case."""
        if self.chance(0.7):
            return s
        return "".join(c.upper() if self.chance(0.5) else c.lower()
                       for c in s)

    # -- keys --
    def key(self):
        if self.chance(0.03):
            return self.bytes(self.randint(1, 8))
        return self.choice(self.key_pool)

    def keys(self, lo=1, hi=4):
        return [self.key() for _ in range(self.randint(lo, hi))]

    # -- values --
    def value(self):
        r = self.rng.random()
        if r < 0.25:
            return self.int_arg()
        if r < 0.33:
            return self.choice(FLOATS)
        if r < 0.58:
            return self.choice(WORDS)
        if r < 0.66:
            return b""
        if r < 0.78:
            return self.bytes(self.randint(1, 64))
        if r < 0.86:
            return self.choice(UNICODE).encode()
        if r < 0.98:
            return self.bytes(self.randint(65, 4096))
        return self.huge()

    def huge(self):
        """A large value, now and then right at the servers' bulk limit."""
        from servers import MAX_BULK
        if self.chance(0.2):
            return b"h" * (MAX_BULK - self.randint(0, 2))
        return self.bytes(1) * self.randint(100 << 10, 1 << 20)

    def int_arg(self):
        if self.chance(0.12):
            return self.choice(NEAR_INTS)
        if self.chance(0.6):
            return str(self.choice(EDGE_INTS) * self.choice([1, 1, -1])).encode()
        return str(self.randint(-1000, 1000)).encode()

    def small_int(self, lo=-10, hi=100):
        if self.chance(0.05):
            return self.int_arg()
        return str(self.randint(lo, hi)).encode()

    def float_arg(self):
        if self.chance(0.5):
            return self.choice(FLOATS)
        return repr(self.rng.uniform(-1e6, 1e6)).encode()

    def pattern(self):
        return self.choice([b"*", b"k*", b"k?", b"*[0-3]", b"[^k]*", b"\\*",
                            b"", b"k[", b"*\xd0*", b"{tag}*", b"*?*?*"])

    # -- expiry arguments --
    def _not_mid_sequence(self, v, unit_ms):
        """v, unless it is a relative time that could pass while the
        sequence runs (then a safely long one): the two servers would see
        the key expire at different operations."""
        try:
            n = int(v)
        except ValueError:
            return v
        if unit_ms == 1 and 0 < n <= 3:
            self.settle_ms = max(self.settle_ms, n)
        elif 0 < n * unit_ms < 10**6:
            return str(self.randint(10**6, 10**9) // unit_ms).encode()
        return v

    def ttl_seconds(self):
        """A relative time in seconds. Either long enough that it cannot
        pass during a sequence, or invalid/past."""
        v = self.choice([
            str(self.randint(1000, 10**6)).encode(), b"0", b"-1", b"-1000",
            str(self.randint(5000, 10**9)).encode(), self.int_arg()])
        return self._not_mid_sequence(v, 1000)

    def ttl_ms(self):
        """A relative time in ms: long, invalid/past, or short: then the
        runner waits for it to pass before the next operation."""
        r = self.rng.random()
        if r < 0.25:
            ms = self.randint(1, 3)
            self.settle_ms = max(self.settle_ms, ms)
            return str(ms).encode()
        if r < 0.75:
            return str(self.randint(10**6, 10**10)).encode()
        return self._not_mid_sequence(
            self.choice([b"0", b"-1", b"-5000", self.int_arg()]), 1)

    def at_seconds(self):
        """An absolute Unix time in seconds: the past or the far future."""
        r = self.rng.random()
        if r < 0.6:
            return TimeArg(self.randint(10**6, 10**9) * 1000, 1000)
        if r < 0.8:
            return TimeArg(-self.randint(1, 10**6) * 1000, 1000)
        return self.choice([b"1", b"0", b"-1", self.int_arg()])

    def at_ms(self):
        r = self.rng.random()
        if r < 0.15:
            ms = self.randint(1, 3)
            self.settle_ms = max(self.settle_ms, ms)
            return TimeArg(ms, 1)
        if r < 0.6:
            return TimeArg(self.randint(10**6, 10**12), 1)
        if r < 0.8:
            return TimeArg(-self.randint(1, 10**9), 1)
        return self.choice([b"1", b"0", b"-1", self.int_arg()])


def _as_bytes(a):
    if isinstance(a, (bytes, TimeArg)):
        return a
    if isinstance(a, int):
        return str(a).encode()
    return a.encode()


def _mangle(g, args):
    """Damages the arity of a command: drops arguments or adds junk (no
    larger than a key may be: shale's max_key_bytes, docs/protocols.md)."""
    r = g.rng.random()
    if r < 0.4 and len(args) > 1:
        return args[:g.randint(1, len(args) - 1)]
    if r < 0.6:
        return args[:1]
    return args + [g.value()[:4096] for _ in range(g.randint(1, 3))]


def _name_case(g, name):
    if g.chance(0.85):
        return name
    return "".join(c.lower() if g.chance(0.5) else c for c in name)


# Open differences, not drawn until fixed: (command, first argument or
# None) -> reason. Each is listed in docs/protocols.md ("Open
# differences"); remove both lines with the fix.
OPEN = {}
OPEN_IN_MULTI = {
    ("DBSIZE", None): "Redis counts a key that the same EXEC created "
    "already expired (SET ... EXAT in the past), which no SCAN before "
    "EXEC can make it reclaim; shale never counts expired keys (a "
    "deliberate difference, docs/protocols.md)",
    ("CLIENT", None): "an unknown subcommand, or a subcommand's wrong "
    "arity, is queued by shale, refused at queue time by Redis (the "
    "subcommand table comes with COMMAND's work)",
}


def _open(table, args):
    name = args[0].upper() if isinstance(args[0], bytes) else \
        args[0].upper().encode()
    name = name.decode("latin-1")
    first = args[1].upper() if len(args) > 1 and isinstance(args[1], bytes) \
        else None
    return (name, None) in table or (name, first) in table


def generate(seed, families, length):
    """The sequence of `length` operations for seed, over families."""
    rng = random.Random(seed)
    g = Gen(rng)
    fam_weights = [f.weight for f in families]
    ops = []
    # Half the connections speak RESP3 from the start (HELLO ops switch
    # them back and forth later).
    for c in range(CONNECTIONS):
        if rng.random() < 0.5:
            ops.append(Op(c, [b"HELLO", b"3"]))
    # Connections that may be inside MULTI (as the generator sees it).
    maybe_multi = set()
    while len(ops) < length:
        fam = rng.choices(families, fam_weights)[0]
        cmd = rng.choices(fam.commands, [c.weight for c in fam.commands])[0]
        g.settle_ms = 0
        args = [_name_case(g, cmd.name) if not cmd.exact_case else cmd.name]
        args += [_as_bytes(a) for a in cmd.build(g)]
        if cmd.mangle and g.chance(0.03):
            args = _mangle(g, args)
        args = [_as_bytes(a) for a in args]
        if cmd.conns:
            conn = rng.choice(cmd.conns)
        else:
            conn = 0 if rng.random() < 0.7 else rng.randrange(CONNECTIONS)
        if _open(OPEN, args) or (conn in maybe_multi and
                                 _open(OPEN_IN_MULTI, args)):
            continue
        name = cmd.name.upper()
        if name == "MULTI":
            maybe_multi.add(conn)
        elif name in ("EXEC", "DISCARD"):
            maybe_multi.discard(conn)
        ops.append(Op(conn, args, g.settle_ms))
    return ops


def lookup(families, name):
    """The Cmd for a command name (upper case), or None."""
    for f in families:
        for c in f.commands:
            if c.name.upper() == name:
                return c
    return None
