"""A small decoder (and encoder) of Redis 7.0's DUMP payloads, for the
tests: it turns a payload into the value it stands for, so that DUMP
replies of shale-server and redis-server can be compared by value (their
bytes differ by design: docs/protocols.md), and it writes the payload
encodings real Redis 7.0 no longer produces (ziplist, zipmap, quicklist v1,
the old LIST and ZSET types) to test RESTORE on them.

The grammar: docs/format/dump_payload.md. Standard library only.
"""
import struct

# --- CRC-64 (Jones, reflected), as Redis ------------------------------------

_POLY = 0x95ac9329ac4bc9b5
_TABLE = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ _POLY if _c & 1 else _c >> 1
    _TABLE.append(_c)


def crc64(data, crc=0):
    for b in data:
        crc = _TABLE[(crc ^ b) & 0xff] ^ (crc >> 8)
    return crc


def footer(body, version=10):
    body = body + struct.pack("<H", version)
    return body + struct.pack("<Q", crc64(body))


# --- decoding -----------------------------------------------------------------

class BadPayload(Exception):
    pass


def lzf_decompress(data, ulen):
    out = bytearray()
    i = 0
    while i < len(data):
        ctrl = data[i]
        i += 1
        if ctrl < 32:
            n = ctrl + 1
            if i + n > len(data):
                raise BadPayload("lzf literal")
            out += data[i:i + n]
            i += n
        else:
            n = ctrl >> 5
            if n == 7:
                n += data[i]
                i += 1
            ref = len(out) - ((ctrl & 0x1f) << 8) - data[i] - 1
            i += 1
            if ref < 0:
                raise BadPayload("lzf backref")
            for _ in range(n + 2):
                out.append(out[ref])
                ref += 1
    if len(out) != ulen:
        raise BadPayload("lzf length")
    return bytes(out)


class _Reader:
    def __init__(self, data):
        self.d, self.p = data, 0

    def take(self, n):
        if self.p + n > len(self.d):
            raise BadPayload("truncated")
        v = self.d[self.p:self.p + n]
        self.p += n
        return v

    def length(self):
        b = self.take(1)[0]
        t = b >> 6
        if t == 0:
            return b & 0x3f, False
        if t == 1:
            return ((b & 0x3f) << 8) | self.take(1)[0], False
        if t == 3:
            return b & 0x3f, True
        if b == 0x80:
            return struct.unpack(">I", self.take(4))[0], False
        if b == 0x81:
            return struct.unpack(">Q", self.take(8))[0], False
        raise BadPayload("length")

    def string(self):
        n, enc = self.length()
        if not enc:
            return self.take(n)
        if n in (0, 1, 2):
            size = 1 << n
            v = int.from_bytes(self.take(size), "little", signed=True)
            return str(v).encode()
        if n == 3:
            clen, _ = self.length()
            ulen, _ = self.length()
            return lzf_decompress(self.take(clen), ulen)
        raise BadPayload("string encoding")


def _listpack(lp):
    out = []
    p = 6
    while lp[p] != 0xff:
        b = lp[p]
        if b < 0x80:
            v, size = str(b).encode(), 1
        elif b & 0xc0 == 0x80:
            n = b & 0x3f
            v, size = lp[p + 1:p + 1 + n], 1 + n
        elif b & 0xe0 == 0xc0:
            u = ((b & 0x1f) << 8) | lp[p + 1]
            v, size = str(u - 8192 if u >= 4096 else u).encode(), 2
        elif b & 0xf0 == 0xe0:
            n = ((b & 0xf) << 8) | lp[p + 1]
            v, size = lp[p + 2:p + 2 + n], 2 + n
        elif b == 0xf0:
            n = struct.unpack("<I", lp[p + 1:p + 5])[0]
            v, size = lp[p + 5:p + 5 + n], 5 + n
        else:
            w = {0xf1: 2, 0xf2: 3, 0xf3: 4, 0xf4: 8}[b]
            iv = int.from_bytes(lp[p + 1:p + 1 + w], "little", signed=True)
            v, size = str(iv).encode(), 1 + w
        out.append(bytes(v))
        back = 1 if size <= 127 else 2 if size < 16383 else 3 if \
            size < 2097151 else 4 if size < 268435455 else 5
        p += size + back
    return out


def _ziplist(zl):
    out = []
    p = 10
    while zl[p] != 0xff:
        p += 1 if zl[p] < 254 else 5
        b = zl[p]
        if b >> 6 == 0:
            n = b & 0x3f
            out.append(zl[p + 1:p + 1 + n])
            p += 1 + n
        elif b >> 6 == 1:
            n = ((b & 0x3f) << 8) | zl[p + 1]
            out.append(zl[p + 2:p + 2 + n])
            p += 2 + n
        elif b >> 6 == 2:
            n = struct.unpack(">I", zl[p + 1:p + 5])[0]
            out.append(zl[p + 5:p + 5 + n])
            p += 5 + n
        else:
            w = {0xc0: 2, 0xd0: 4, 0xe0: 8, 0xf0: 3, 0xfe: 1}.get(b, 0)
            if w:
                iv = int.from_bytes(zl[p + 1:p + 1 + w], "little",
                                    signed=True)
            else:
                iv = (b & 0xf) - 1
            out.append(str(iv).encode())
            p += 1 + w
    return [bytes(x) for x in out]


def _intset(s):
    enc, n = struct.unpack("<II", s[:8])
    return [str(int.from_bytes(s[8 + i * enc:8 + (i + 1) * enc], "little",
                               signed=True)).encode() for i in range(n)]


def _zipmap(zm):
    out = []
    p = 1

    def ln():
        nonlocal p
        b = zm[p]
        if b < 254:
            p += 1
            return b
        p += 5
        return struct.unpack("<I", zm[p - 4:p])[0]
    while zm[p] != 0xff:
        k = ln()
        out.append(zm[p:p + k])
        p += k
        v = ln()
        free = zm[p]
        p += 1
        out.append(zm[p:p + v])
        p += v + free
    return [bytes(x) for x in out]


def _pairs(items):
    return [(items[i], items[i + 1]) for i in range(0, len(items), 2)]


def _score(s):
    return float(s)


def decode(payload):
    """(type, value): ("string", bytes), ("list", [bytes]), ("set",
    sorted [bytes]), ("hash", sorted [(field, value)]), ("zset",
    [(member, score)] sorted by score then member). BadPayload if the
    footer or the bytes are wrong."""
    if len(payload) < 10:
        raise BadPayload("short")
    if crc64(payload[:-8]) != struct.unpack("<Q", payload[-8:])[0]:
        raise BadPayload("crc")
    r = _Reader(payload)
    t = r.take(1)[0]
    if t == 0:
        return "string", r.string()
    if t in (1, 2):
        n, _ = r.length()
        items = [r.string() for _ in range(n)]
        return ("list", items) if t == 1 else ("set", sorted(items))
    if t in (3, 5):
        n, _ = r.length()
        z = []
        for _ in range(n):
            m = r.string()
            if t == 5:
                s = struct.unpack("<d", r.take(8))[0]
            else:
                ln = r.take(1)[0]
                s = {253: float("nan"), 254: float("inf"),
                     255: float("-inf")}.get(ln)
                if s is None:
                    s = float(r.take(ln))
            z.append((m, s))
        return "zset", sorted(z, key=lambda x: (x[1], x[0]))
    if t == 4:
        n, _ = r.length()
        return "hash", sorted((r.string(), r.string()) for _ in range(n))
    if t == 9:
        return "hash", sorted(_pairs(_zipmap(r.string())))
    if t == 10:
        return "list", _ziplist(r.string())
    if t == 11:
        return "set", sorted(_intset(r.string()))
    if t in (12, 17):
        items = (_ziplist if t == 12 else _listpack)(r.string())
        z = [(m, _score(s)) for m, s in _pairs(items)]
        return "zset", sorted(z, key=lambda x: (x[1], x[0]))
    if t in (13, 16):
        items = (_ziplist if t == 13 else _listpack)(r.string())
        return "hash", sorted(_pairs(items))
    if t in (14, 18):
        nodes, _ = r.length()
        out = []
        for _ in range(nodes):
            container = r.length()[0] if t == 18 else 2
            blob = r.string()
            if container == 1:
                out.append(blob)
            else:
                out += (_listpack if t == 18 else _ziplist)(blob)
        return "list", out
    if t in (15, 19):
        return "stream", _stream(r, t)
    raise BadPayload("type %d" % t)


def _int(b):
    try:
        return int(b)
    except ValueError:
        raise BadPayload("not an integer")


def _stream_nodes(r):
    """A stream's entries, [((ms, seq), [(field, value)])], deleted ones
    left out, nodes taken in key order (as Redis's radix tree takes
    them); BadPayload on a node Redis's loader refuses."""
    nodes = {}
    for _ in range(r.length()[0]):
        key = r.string()
        if len(key) != 16 or key in nodes:
            raise BadPayload("node key")
        ms, seq = struct.unpack(">QQ", key)
        items = _listpack(r.string())
        p = 0

        def nxt():
            nonlocal p
            if p >= len(items):
                raise BadPayload("short node")
            p += 1
            return items[p - 1]
        entries = []
        count, deleted, nf = _int(nxt()), _int(nxt()), _int(nxt())
        master = [nxt() for _ in range(nf)]
        if _int(nxt()) != 0:
            raise BadPayload("master terminator")
        for _ in range(count + deleted):
            flags = _int(nxt())
            eid = ((ms + _int(nxt())) % 2**64, (seq + _int(nxt())) % 2**64)
            if flags & 2:
                fields = master
                values = [nxt() for _ in fields]
            else:  # its own fields, each followed by its value
                pairs = [(nxt(), nxt()) for _ in range(_int(nxt()))]
                fields = [f for f, _ in pairs]
                values = [v for _, v in pairs]
            n = len(fields)
            if _int(nxt()) != (n + 3 if flags & 2 else 2 * n + 4):
                raise BadPayload("lp-count")
            if not flags & 1:
                entries.append((eid, list(zip(fields, values))))
        if p != len(items):
            raise BadPayload("node tail")
        nodes[key] = entries
    return [e for k in sorted(nodes) for e in nodes[k]]


def _lax(r):
    """A length Redis's stream loader reads unchecked: a byte of no length
    encoding is RDB_LENERR (2**64 - 1)."""
    b = r.d[r.p] if r.p < len(r.d) else None
    if b is not None and b >> 6 == 2 and b not in (0x80, 0x81):
        r.p += 1
        return 2**64 - 1
    return r.length()[0]


def _stream(r, t):
    """A stream as a dict: entries, length, last, first, max_deleted,
    entries_added, groups [(name, last, entries_read, pel, consumers)],
    pel [(id, delivery_ms, deliveries, consumer)] by ID, consumers
    [(name, seen_ms, [id])] by name. Type 15 has no first, max_deleted,
    entries_added or entries_read (None)."""
    def sid():
        return (_lax(r), _lax(r))
    s = {"entries": _stream_nodes(r), "length": _lax(r), "last": sid()}
    s["first"], s["max_deleted"], s["entries_added"] = (
        (sid(), sid(), _lax(r)) if t == 19 else (None, None, None))
    groups = []
    for _ in range(r.length()[0]):
        name, last = r.string(), sid()
        read = _lax(r) if t == 19 else None
        pel = {}
        for _ in range(r.length()[0]):
            i = struct.unpack(">QQ", r.take(16))
            pel[i] = [struct.unpack("<q", r.take(8))[0], _lax(r), None]
        consumers = []
        for _ in range(r.length()[0]):
            cname, seen = r.string(), struct.unpack("<q", r.take(8))[0]
            ids = [struct.unpack(">QQ", r.take(16))
                   for _ in range(r.length()[0])]
            for i in ids:
                if i not in pel:
                    raise BadPayload("consumer PEL entry not in group PEL")
                pel[i][2] = cname
            consumers.append((cname, seen, sorted(ids)))
        groups.append((name, last, read,
                       sorted((i,) + tuple(v) for i, v in pel.items()),
                       sorted(consumers)))
    s["groups"] = sorted(groups)
    return s


# --- encoding (what real Redis 7.0 no longer writes) --------------------------

def enc_len(n):
    if n < 64:
        return bytes([n])
    if n < 16384:
        return bytes([0x40 | (n >> 8), n & 0xff])
    if n <= 0xffffffff:
        return b"\x80" + struct.pack(">I", n)
    return b"\x81" + struct.pack(">Q", n)


def enc_str(s):
    return enc_len(len(s)) + s


def _zl_entry(prev, v):
    pre = bytes([prev]) if prev < 254 else b"\xfe" + struct.pack("<I", prev)
    try:
        iv = int(v)
        canonical = str(iv).encode() == v
    except ValueError:
        canonical = False
    if canonical and -2**63 <= iv < 2**63:
        if 0 <= iv <= 12:
            body = bytes([0xf1 + iv])
        elif -128 <= iv < 128:
            body = b"\xfe" + iv.to_bytes(1, "little", signed=True)
        elif -2**15 <= iv < 2**15:
            body = b"\xc0" + iv.to_bytes(2, "little", signed=True)
        elif -2**23 <= iv < 2**23:
            body = b"\xf0" + iv.to_bytes(3, "little", signed=True)
        elif -2**31 <= iv < 2**31:
            body = b"\xd0" + iv.to_bytes(4, "little", signed=True)
        else:
            body = b"\xe0" + iv.to_bytes(8, "little", signed=True)
    elif len(v) < 64:
        body = bytes([len(v)]) + v
    elif len(v) < 16384:
        body = bytes([0x40 | (len(v) >> 8), len(v) & 0xff]) + v
    else:
        body = b"\x80" + struct.pack(">I", len(v)) + v
    return pre + body


def ziplist(items):
    entries, prev, offsets, off = b"", 0, [], 10
    for v in items:
        e = _zl_entry(prev, v)
        offsets.append(off)
        off += len(e)
        entries += e
        prev = len(e)
    total = 10 + len(entries) + 1
    tail = offsets[-1] if offsets else 10
    return struct.pack("<IIH", total, tail, min(len(items), 65535)) + \
        entries + b"\xff"


def _lp_entry(v):
    try:
        iv = int(v)
        canonical = str(iv).encode() == v
    except ValueError:
        canonical = False
    if canonical and 0 <= iv <= 127:
        body = bytes([iv])
    elif canonical and -4096 <= iv < 4096:
        u = iv & 0x1fff
        body = bytes([0xc0 | (u >> 8), u & 0xff])
    elif canonical and -2**63 <= iv < 2**63:
        w, code = next((w, c) for w, c in ((2, 0xf1), (3, 0xf2), (4, 0xf3),
                                            (8, 0xf4))
                       if -2**(8 * w - 1) <= iv < 2**(8 * w - 1))
        body = bytes([code]) + iv.to_bytes(w, "little", signed=True)
    elif len(v) < 64:
        body = bytes([0x80 | len(v)]) + v
    elif len(v) < 4096:
        body = bytes([0xe0 | (len(v) >> 8), len(v) & 0xff]) + v
    else:
        body = b"\xf0" + struct.pack("<I", len(v)) + v
    n = len(body)
    if n <= 127:
        back = bytes([n])
    else:
        groups = []
        while n:
            groups.append(n & 127)
            n >>= 7
        groups.reverse()
        back = bytes([groups[0]] + [g | 128 for g in groups[1:]])
    return body + back


def listpack(items):
    entries = b"".join(_lp_entry(v) for v in items)
    total = 6 + len(entries) + 1
    return struct.pack("<IH", total, min(len(items), 65535)) + entries + \
        b"\xff"


def intset(values, width=None):
    values = sorted(values)
    if width is None:
        width = 2 if all(-2**15 <= v < 2**15 for v in values) else \
            4 if all(-2**31 <= v < 2**31 for v in values) else 8
    return struct.pack("<II", width, len(values)) + b"".join(
        v.to_bytes(width, "little", signed=True) for v in values)


def zipmap(pairs):
    def ln(n):
        return bytes([n]) if n < 254 else b"\xfe" + struct.pack("<I", n)
    body = bytes([min(len(pairs), 254)])
    for k, v in pairs:
        body += ln(len(k)) + k + ln(len(v)) + b"\x00" + v
    return body + b"\xff"


def _d2s(d):
    if d == float("inf"):
        return b"inf"
    if d == float("-inf"):
        return b"-inf"
    return repr(d).encode()


def payload(kind, value, version=10):
    """A payload of RDB type kind (a name below) for value: a list of
    bytes (list, set), of (field, value) (hash), of (member, score) (zset),
    or ints (intset)."""
    if kind in ("zset_ziplist", "zset_listpack"):
        # Redis keeps a compact sorted set in score order and trusts it.
        value = sorted(value, key=lambda x: (x[1], x[0]))
    if kind == "list":          # type 1
        body = b"\x01" + enc_len(len(value)) + b"".join(map(enc_str, value))
    elif kind == "set":         # type 2
        body = b"\x02" + enc_len(len(value)) + b"".join(map(enc_str, value))
    elif kind == "zset":        # type 3: scores as text
        body = b"\x03" + enc_len(len(value))
        for m, s in value:
            t = {float("inf"): b"\xfe", float("-inf"): b"\xff"}.get(s)
            body += enc_str(m) + (t if t else bytes([len(_d2s(s))]) + _d2s(s))
    elif kind == "hash":        # type 4
        body = b"\x04" + enc_len(len(value)) + b"".join(
            enc_str(f) + enc_str(v) for f, v in value)
    elif kind == "zset2":       # type 5
        body = b"\x05" + enc_len(len(value)) + b"".join(
            enc_str(m) + struct.pack("<d", s) for m, s in value)
    elif kind == "hash_zipmap":     # 9
        body = b"\x09" + enc_str(zipmap(value))
    elif kind == "list_ziplist":    # 10
        body = b"\x0a" + enc_str(ziplist(value))
    elif kind == "set_intset":      # 11
        body = b"\x0b" + enc_str(intset(value))
    elif kind == "zset_ziplist":    # 12
        body = b"\x0c" + enc_str(ziplist(
            [x for m, s in value for x in (m, _d2s(s))]))
    elif kind == "hash_ziplist":    # 13
        body = b"\x0d" + enc_str(ziplist([x for p in value for x in p]))
    elif kind == "list_quicklist":  # 14: nodes of 3
        nodes = [value[i:i + 3] for i in range(0, len(value), 3)]
        body = b"\x0e" + enc_len(len(nodes)) + b"".join(
            enc_str(ziplist(n)) for n in nodes)
    elif kind == "hash_listpack":   # 16
        body = b"\x10" + enc_str(listpack([x for p in value for x in p]))
    elif kind == "zset_listpack":   # 17
        body = b"\x11" + enc_str(listpack(
            [x for m, s in value for x in (m, _d2s(s))]))
    elif kind == "list_quicklist2":  # 18: nodes of 3, a long element plain
        nodes = []
        i = 0
        while i < len(value):
            if len(value[i]) > 100:
                nodes.append(b"\x01" + enc_str(value[i]))
                i += 1
            else:
                nodes.append(b"\x02" + enc_str(listpack(value[i:i + 3])))
                i += 3
        body = b"\x12" + enc_len(len(nodes)) + b"".join(nodes)
    else:
        raise ValueError(kind)
    return footer(body, version)


def stream_node(master, entries, master_fields=None, counts=None):
    """One stream listpack node keyed by master (ms, seq): entries are
    (id, [(field, value)], deleted) in order; master_fields defaults to the
    first entry's fields, an entry with the same fields is SAMEFIELDS.
    counts overrides the master entry's (live, deleted) counts."""
    if master_fields is None:
        master_fields = [f for f, _ in entries[0][1]] if entries else []
    live = sum(1 for e in entries if not e[2])
    live, dead = counts or (live, len(entries) - live)
    items = [b"%d" % live, b"%d" % dead, b"%d" % len(master_fields)] + \
        list(master_fields) + [b"0"]
    for (ms, seq), pairs, deleted in entries:
        fields = [f for f, _ in pairs]
        same = fields == list(master_fields)
        flags = (1 if deleted else 0) | (2 if same else 0)
        d = [((ms - master[0] + 2**63) % 2**64) - 2**63,
             ((seq - master[1] + 2**63) % 2**64) - 2**63]
        items += [b"%d" % flags, b"%d" % d[0], b"%d" % d[1]]
        if same:
            items += [v for _, v in pairs]
        else:
            items += [b"%d" % len(fields)] + [x for p in pairs for x in p]
        n = len(pairs)
        items.append(b"%d" % (n + 3 if same else 2 * n + 4))
    return enc_str(struct.pack(">QQ", *master)) + enc_str(listpack(items))


def stream_payload(nodes, length, last, first=(0, 0), max_deleted=(0, 0),
                   entries_added=None, groups=(), kind=19):
    """A stream payload (type 19, or 15 without the 7.0 fields) of node
    bytes (stream_node) and the metadata; groups are (name, last,
    entries_read, pel [(id, delivery_ms, deliveries)], consumers [(name,
    seen_ms, [id])])."""
    def sid(i):
        return enc_len(i[0]) + enc_len(i[1])
    body = bytes([kind]) + enc_len(len(nodes)) + b"".join(nodes) + \
        enc_len(length) + sid(last)
    if kind == 19:
        body += sid(first) + sid(max_deleted) + enc_len(
            length if entries_added is None else entries_added)
    body += enc_len(len(groups))
    for name, glast, read, pel, consumers in groups:
        body += enc_str(name) + sid(glast)
        if kind == 19:
            body += enc_len(read)
        body += enc_len(len(pel))
        for i, t, n in pel:
            body += struct.pack(">QQ", *i) + struct.pack("<q", t) + enc_len(n)
        body += enc_len(len(consumers))
        for cname, seen, ids in consumers:
            body += enc_str(cname) + struct.pack("<q", seen) + enc_len(
                len(ids)) + b"".join(struct.pack(">QQ", *i) for i in ids)
    return footer(body)
