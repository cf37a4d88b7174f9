"""Every place where the harness does not compare replies byte for byte,
each with its reason. docs/protocols.md ("Deliberate differences") lists the
same set; keep the two in step.

Three kinds of rule, each keyed by command name (upper case):

- NORMALIZERS[name](args, frame) -> frame: rewrites one reply, the same way
  on both sides, before comparing (e.g. sorts KEYS). Also applied to the
  elements of an EXEC reply, with the queued command's arguments.
- COMPARERS[name](args, redis_frame, shale_frame) -> bool: a looser
  equality for replies that depend on when the command ran (TTL ...).
- DRIVERS[name](conn, args) -> [frame]: runs the command itself instead of
  sending it once (SCAN is iterated to the end and the key set compared).
"""
from resp import Frame

NORMALIZERS = {}
COMPARERS = {}
DRIVERS = {}
REASONS = {}


def _rule(table, names, reason):
    def wrap(fn):
        for n in names:
            table[n] = fn
            REASONS[n] = reason
        return fn
    return wrap


def _sub(args):
    return args[1].upper() if len(args) > 1 else b""


def _placeholder(frame, what):
    if frame.is_error():
        return frame
    return Frame("?", what.encode())


# --- replies whose bytes differ by design --------------------------------------

@_rule(NORMALIZERS, ["DUMP"], "a payload's bytes depend on the encoding "
       "each server picks (Redis: its listpacks, in insertion or hash-table "
       "order; shale: LIST, SET, HASH, ZSET_2 in byte order; a stream's "
       "listpack nodes): compared by the value it decodes to "
       "(dump_codec.py; a stream's group times are each server's clock), "
       "a string's byte for byte")
def _dump(args, f):
    import dump_codec
    if f.kind != "$" or not isinstance(f.value, bytes):
        return f
    try:
        kind, value = dump_codec.decode(f.value)
    except (dump_codec.BadPayload, IndexError, ValueError):
        return f
    if kind == "string":
        return f
    if kind == "zset":  # -0 is kept as 0 (docs/protocols.md)
        value = [(m, s + 0.0) for m, s in value]
    if kind == "stream":  # delivery and seen times are each server's clock
        value["groups"] = [
            (name, last, read, [(i, n, c) for i, _, n, c in pel],
             [(c, ids) for c, _, ids in consumers])
            for name, last, read, pel, consumers in value["groups"]]
    return Frame("?", repr((kind, value)).encode())


@_rule(NORMALIZERS, ["XINFO"], "XINFO STREAM's radix-tree-keys and "
       "radix-tree-nodes count Redis's listpack nodes, which shale does not "
       "have (docs/protocols.md): those two values are left out")
def _xinfo(args, f):
    if _sub(args) != b"STREAM" or f.kind not in ("*", "%") or \
            not isinstance(f.value, list):
        return f
    out = list(f.value)
    for i in range(0, len(out) - 1, 2):
        if out[i].kind == "$" and out[i].value in (b"radix-tree-keys",
                                                   b"radix-tree-nodes"):
            out[i + 1] = Frame("?", b"<nodes>")
    return Frame(f.kind, out)


# --- replies that depend on the server, not on the data ----------------------

@_rule(NORMALIZERS, ["TIME"], "the servers' clocks are read at different "
       "instants; only the shape (two decimal strings) is compared")
def _time(args, f):
    if (f.kind == "*" and isinstance(f.value, list) and len(f.value) == 2
            and all(x.kind == "$" and x.value.isdigit() for x in f.value)):
        return Frame("?", b"<time>")
    return f


@_rule(NORMALIZERS, ["INFO"], "INFO reports each server's own process, "
       "memory, clients and build; its sections are compared by the "
       "server-command tests, here only that a text came back")
def _info(args, f):
    if f.kind in ("$", "=") and f.value is not None:
        return Frame("?", b"<info text>")
    return f


@_rule(NORMALIZERS, ["CLIENT"], "connection ids are assigned per server "
       "(CLIENT ID: only 'an integer' is compared)")
def _client(args, f):
    if _sub(args) == b"ID" and f.kind == ":":
        return Frame("?", b"<client id>")
    return f


@_rule(NORMALIZERS, ["HELLO"], "HELLO's map carries the connection id and "
       "the server version (shale answers 7.0.0), compared as present only")
def _hello(args, f):
    if f.kind not in ("*", "%") or not isinstance(f.value, list):
        return f
    items = list(f.value)
    for i in range(0, len(items) - 1, 2):
        if items[i].value in (b"id", b"version"):
            items[i + 1] = Frame("?", b"<" + items[i].value + b">")
    return Frame(f.kind, items)


@_rule(NORMALIZERS, ["KEYS"], "KEYS answers in the order of Redis's hash "
       "table and shale's sorted key space: compared as sorted lists")
def _keys(args, f):
    if f.kind in ("*", "~") and isinstance(f.value, list):
        return Frame(f.kind, sorted(f.value, key=lambda x: x.value or b""))
    return f


@_rule(NORMALIZERS, ["RANDOMKEY"], "which key comes out is random on both "
       "sides: compared as 'null' or 'some key' (the driver checks that the "
       "key exists)")
def _randomkey(args, f):
    if f.kind == "$" and f.value is not None:
        return Frame("?", b"<a key>")
    return f


@_rule(NORMALIZERS, ["SCAN"], "a single SCAN call's cursor and batch differ "
       "by design (shale's cursor maps to a resume key); outside MULTI the "
       "driver iterates to the end and compares the set of keys")
def _scan(args, f):
    if f.kind == "*" and isinstance(f.value, list) and len(f.value) == 2:
        return Frame("?", b"<scan page>")
    return f


# --- hashes: field order -------------------------------------------------------

def _pairs_sorted(items):
    pairs = [(items[i], items[i + 1]) for i in range(0, len(items) - 1, 2)]
    pairs.sort(key=lambda p: p[0].value or b"")
    return [x for p in pairs for x in p]


@_rule(NORMALIZERS, ["HGETALL"], "Redis answers a small hash in insertion "
       "order (a large one in hash-table order), shale in field byte order: "
       "the field/value pairs are compared sorted")
def _hgetall(args, f):
    if f.kind in ("*", "%") and isinstance(f.value, list):
        return Frame(f.kind, _pairs_sorted(f.value))
    return f


@_rule(NORMALIZERS, ["HKEYS", "HVALS"], "Redis answers a small hash in "
       "insertion order, shale in field byte order: compared sorted")
def _hkeys(args, f):
    if f.kind == "*" and isinstance(f.value, list):
        return Frame(f.kind, sorted(f.value, key=lambda x: x.value or b""))
    return f


@_rule(NORMALIZERS, ["HRANDFIELD"], "which fields come out is random on "
       "both sides: compared by kind and number of items")
def _hrandfield(args, f):
    if f.is_error() or f.value is None:
        return f
    if f.kind == "$":
        return Frame("?", b"<a field>")
    if f.kind == "*" and isinstance(f.value, list):
        return Frame("?", b"<%d items>" % len(f.value))
    return f


@_rule(NORMALIZERS, ["HSCAN"], "a single HSCAN call's cursor and page differ "
       "by design (shale's cursor maps to the next field); outside MULTI the "
       "driver iterates to the end and compares the sorted pairs")
def _hscan(args, f):
    if f.kind == "*" and isinstance(f.value, list) and len(f.value) == 2:
        return Frame("?", b"<hscan page>")
    return f


# --- sets: member order -------------------------------------------------------

@_rule(NORMALIZERS, ["SMEMBERS", "SINTER", "SUNION", "SDIFF", "SPOP"],
       "Redis answers a set in sorted-integer order (intset) or hash-table "
       "order, shale in member byte order: compared sorted (SPOP is drawn "
       "only with counts that pop everything or nothing)")
def _smembers(args, f):
    if f.kind in ("*", "~") and isinstance(f.value, list):
        return Frame(f.kind, sorted(f.value, key=lambda x: x.value or b""))
    return f


@_rule(NORMALIZERS, ["SRANDMEMBER"], "which members come out is random on "
       "both sides: compared by kind and number of items")
def _srandmember(args, f):
    if f.is_error() or f.value is None:
        return f
    if f.kind == "$":
        return Frame("?", b"<a member>")
    if f.kind == "*" and isinstance(f.value, list):
        return Frame("?", b"<%d items>" % len(f.value))
    return f


@_rule(NORMALIZERS, ["SSCAN"], "a single SSCAN call's cursor and page differ "
       "by design (shale's cursor maps to the next member); outside MULTI "
       "the driver iterates to the end and compares the sorted members")
def _sscan(args, f):
    if f.kind == "*" and isinstance(f.value, list) and len(f.value) == 2:
        return Frame("?", b"<sscan page>")
    return f


# --- sorted sets -------------------------------------------------------------

@_rule(NORMALIZERS, ["ZRANDMEMBER"], "which members come out is random on "
       "both sides: compared by kind and number of items")
def _zrandmember(args, f):
    if f.is_error() or f.value is None:
        return f
    if f.kind == "$":
        return Frame("?", b"<a member>")
    if f.kind == "*" and isinstance(f.value, list):
        return Frame("?", b"<%d items>" % len(f.value))
    return f


@_rule(NORMALIZERS, ["ZSCAN"], "a single ZSCAN call's cursor and page differ "
       "by design (shale's cursor maps to the next member); outside MULTI "
       "the driver iterates to the end and compares the sorted pairs")
def _zscan(args, f):
    if f.kind == "*" and isinstance(f.value, list) and len(f.value) == 2:
        return Frame("?", b"<zscan page>")
    return f


# --- replies that depend on the instant the command ran ----------------------

def _near(tolerance):
    def cmp(args, r, s):
        if r.kind == ":" and s.kind == ":":
            a, b = int(r.value), int(s.value)
            if a < 0 or b < 0:  # -1 no expiry, -2 no key: exact
                return a == b
            return abs(a - b) <= tolerance
        return r == s
    return cmp


# Both servers get the same absolute times, but a relative expiry (EX, PX,
# EXPIRE ...) is added to each server's own clock, a fraction of a ms apart,
# and TTL subtracts it again later: one second of rounding at a .5 boundary.
_TTL_REASON = ("a relative expiry and the TTL read are taken from each "
               "server's clock at slightly different instants: equal within "
               "1 s (TTL, EXPIRETIME) or 1000 ms (PTTL, PEXPIRETIME)")
_rule(COMPARERS, ["TTL", "EXPIRETIME"], _TTL_REASON)(_near(1))
_rule(COMPARERS, ["PTTL", "PEXPIRETIME"], _TTL_REASON)(_near(1000))


@_rule(COMPARERS, ["OBJECT"], "OBJECT IDLETIME counts seconds of each "
       "server's own clock (Redis's LRU clock ticks at hz): equal within 2 s")
def _object(args, r, s):
    if _sub(args) == b"IDLETIME":
        return _near(2)(args, r, s)
    return r == s


def compare(args, r, s):
    """True if the replies r and s (already normalised) count as equal."""
    name = args[0].upper().decode("latin-1")
    cmp = COMPARERS.get(name)
    if cmp is not None:
        return cmp(args, r, s)
    return r == s


def normalize(args, f):
    name = args[0].upper().decode("latin-1")
    fn = NORMALIZERS.get(name)
    return fn(args, f) if fn is not None else f


# --- drivers ------------------------------------------------------------------

def scan_all(conn, args, cap=100000):
    """SCAN from args' cursor to the end: one frame, [cursor "0", sorted
    distinct keys], or the first error. Redis may return a key twice
    (rehashing); shale never does: duplicates are dropped."""
    if len(args) < 2:  # wrong arity: one call, compared as it is
        conn.send_command(args)
        return [conn.read()]
    rest = list(args[2:])
    cursor = args[1]
    keys = set()
    for _ in range(cap):
        conn.send_command([args[0], cursor] + rest)
        f = conn.read()
        if f.is_error() or f.kind != "*" or len(f.value) != 2:
            return [f]
        cursor = f.value[0].value
        keys.update(k.value for k in f.value[1].value)
        if cursor == b"0":
            break
    else:
        return [Frame("?", b"<scan did not end>")]
    return [Frame("*", [Frame("$", b"0"),
                        Frame("*", [Frame("$", k) for k in sorted(keys)])])]


def random_key(conn, args):
    """RANDOMKEY, and EXISTS of what it returned (must be 1)."""
    conn.send_command(args)
    f = conn.read()
    if f.kind == "$" and f.value is not None:
        conn.send_command([b"EXISTS", f.value])
        e = conn.read()
        if e.kind != ":" or e.value != b"1":
            return [Frame("?", b"<RANDOMKEY returned a missing key "
                          + f.value[:100] + b">")]
    return [f]


def db_size(conn, args):
    """DBSIZE after a full SCAN. Redis counts keys whose expiry has passed
    until it reclaims them (lazily, or in its active expiry cycle, at
    random); SCAN reclaims every expired key it visits. shale never counts
    an expired key."""
    scan_all(conn, [b"SCAN", b"0", b"COUNT", b"1000"])
    conn.send_command(args)
    return [conn.read()]


def collection_scan_all(conn, args, pairs, cap=100000):
    """HSCAN/SSCAN from args' cursor to the end: one frame, [cursor "0",
    the distinct items sorted (field/value pairs by field)], or the first
    error."""
    if len(args) < 3:  # wrong arity: one call, compared as it is
        conn.send_command(args)
        return [conn.read()]
    key, cursor, rest = args[1], args[2], list(args[3:])
    got = {}
    step = 2 if pairs else 1
    for _ in range(cap):
        conn.send_command([args[0], key, cursor] + rest)
        f = conn.read()
        if f.is_error() or f.kind != "*" or len(f.value) != 2:
            return [f]
        cursor = f.value[0].value
        items = f.value[1].value
        for i in range(0, len(items) - step + 1, step):
            got[items[i].value] = items[i + 1].value if pairs else None
        if cursor == b"0":
            break
    else:
        return [Frame("?", b"<scan did not end>")]
    flat = []
    for k in sorted(got):
        flat.append(Frame("$", k))
        if pairs:
            flat.append(Frame("$", got[k]))
    return [Frame("*", [Frame("$", b"0"), Frame("*", flat)])]


def hscan_all(conn, args):
    return collection_scan_all(conn, args, True)


def sscan_all(conn, args):
    return collection_scan_all(conn, args, False)


DRIVERS["SCAN"] = scan_all
DRIVERS["HSCAN"] = hscan_all
DRIVERS["SSCAN"] = sscan_all
DRIVERS["ZSCAN"] = hscan_all  # member/score pairs, as HSCAN's
DRIVERS["RANDOMKEY"] = random_key
DRIVERS["DBSIZE"] = db_size
REASONS["DBSIZE"] = ("Redis counts expired keys it has not reclaimed yet; "
                     "the driver runs a full SCAN first, which reclaims them")
