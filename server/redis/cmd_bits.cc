// Bit commands on strings: SETBIT GETBIT BITCOUNT BITPOS BITOP, with Redis
// 7.0's replies, errors and events (BITFIELD is cmd_bitfield.cc). Writes
// grow the string with zero bytes and keep its expiry and flags.
#include <algorithm>
#include <bit>
#include <cstring>
#include <vector>

#include "server/redis/bits.h"

namespace shale::server {

bool ParseBitOffset(CommandContext& ctx, std::string_view arg, int field_bits,
                    uint64_t* offset) {
  const bool hash = !arg.empty() && arg[0] == '#' && field_bits > 0;
  int64_t v;
  if (!ParseInt64(arg.substr(hash ? 1 : 0), &v)) {
    ctx.w->Error("ERR bit offset is not an integer or out of range");
    return false;
  }
  if (hash) {  // Redis multiplies without an overflow check; wrap as it does
    v = static_cast<int64_t>(static_cast<uint64_t>(v) *
                             static_cast<uint64_t>(field_bits));
  }
  if (v < 0 || static_cast<uint64_t>(v >> 3) >= ctx.server->max_value_bytes()) {
    ctx.w->Error("ERR bit offset is not an integer or out of range");
    return false;
  }
  *offset = static_cast<uint64_t>(v);
  return true;
}

BitRead ReadForBits(CommandContext& ctx, std::string_view key, bool for_write,
                    Entry* e) {
  Status s = ctx.ks()->Get(key, e);
  if (s.IsNotFound()) {
    if (!for_write) ctx.ks()->Notify(kNotifyKeyMiss, "keymiss", key);
    return BitRead::kMissing;
  }
  if (!s.ok()) {
    ReplyStatus(ctx.w, s);
    return BitRead::kReplied;
  }
  if (e->meta().type != KeyType::kString) {
    ctx.w->Error(kErrWrongType);
    return BitRead::kReplied;
  }
  return BitRead::kFound;
}

bool LoadForBitWrite(CommandContext& ctx, std::string_view key,
                     uint64_t max_bit, Entry* e, std::string* v, bool* grown) {
  const BitRead r = ReadForBits(ctx, key, true, e);
  if (r == BitRead::kReplied) return false;
  *v = e->TakePayload();
  // ParseBitOffset bounds max_bit's byte near proto-max-bulk-len (BITFIELD
  // may reach 8 bytes past it, as in Redis).
  const uint64_t need = (max_bit >> 3) + 1;
  *grown = r == BitRead::kMissing || v->size() < need;
  if (v->size() < need) v->resize(need, '\0');
  return true;
}

namespace {

// SETBIT key offset 0|1: the bit's previous value. Nothing is written
// (no event, WATCH untouched) when the bit already had that value and the
// string did not grow, as Redis.
void SetBit(CommandContext& ctx, Args& a) {
  uint64_t offset;
  if (!ParseBitOffset(ctx, a[2], 0, &offset)) return;
  constexpr const char* kErrBit = "ERR bit is not an integer or out of range";
  int64_t on;
  if (!ParseInt64(a[3], &on)) return ctx.w->Error(kErrBit);
  if ((on & ~1) != 0) return ctx.w->Error(kErrBit);
  Entry e;
  std::string v;
  bool grown;
  if (!LoadForBitWrite(ctx, a[1], offset, &e, &v, &grown)) return;
  const int old = GetBit(v, offset);
  if (grown || old != on) {
    SetBitIn(&v, offset, static_cast<int>(on));
    Status s = ctx.ks()->Put(a[1], v, e.meta().flags, e.meta().expire_at_ms);
    if (!s.ok()) return ReplyStatus(ctx.w, s);
    ctx.ks()->Notify(kNotifyString, "setbit", a[1]);
  }
  ctx.w->Int(old);
}

// GETBIT key offset
void GetBitCmd(CommandContext& ctx, Args& a) {
  uint64_t offset;
  if (!ParseBitOffset(ctx, a[2], 0, &offset)) return;
  Entry e;
  const BitRead r = ReadForBits(ctx, a[1], false, &e);
  if (r == BitRead::kReplied) return;
  ctx.w->Int(r == BitRead::kMissing ? 0 : GetBit(e.payload(), offset));
}

// Bits first..last (inclusive) of a string, as BITCOUNT and BITPOS take a
// range; empty when first > last.
struct BitRange {
  int64_t first = 0, last = -1;
  bool empty() const { return first > last; }
};

// Redis's range arithmetic: negative indexes count from the end, then the
// range is clamped to the string (len bytes; start and end count bits if
// bits, else bytes).
BitRange ClampRange(int64_t start, int64_t end, int64_t len, bool bits) {
  const int64_t total = bits ? len * 8 : len;
  if (start < 0) start += total;
  if (end < 0) end += total;
  start = std::max<int64_t>(start, 0);
  end = std::max<int64_t>(end, 0);
  if (end >= total) end = total - 1;
  BitRange r;
  if (start > end) return r;
  r.first = bits ? start : start * 8;
  r.last = bits ? end : end * 8 + 7;
  return r;
}

// BYTE or BIT: false (an error written) for anything else.
bool ParseUnit(CommandContext& ctx, std::string_view arg, bool* bits) {
  if (OptionIs(arg, "bit")) {
    *bits = true;
  } else if (OptionIs(arg, "byte")) {
    *bits = false;
  } else {
    ctx.w->Error(kErrSyntax);
    return false;
  }
  return true;
}

// The set bits of r in s. REQUIRES: r is inside s.
int64_t CountBits(std::string_view s, const BitRange& r) {
  if (r.empty()) return 0;
  const size_t fb = static_cast<size_t>(r.first >> 3);
  const size_t lb = static_cast<size_t>(r.last >> 3);
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(s[i]); };
  if (fb == lb) {
    const uint8_t m = static_cast<uint8_t>((0xFFu >> (r.first & 7)) &
                                           (0xFFu << (7 - (r.last & 7))));
    return std::popcount(static_cast<uint8_t>(byte(fb) & m));
  }
  int64_t n =
      std::popcount(static_cast<uint8_t>(byte(fb) & (0xFFu >> (r.first & 7))));
  n += std::popcount(
      static_cast<uint8_t>(byte(lb) & (0xFFu << (7 - (r.last & 7)))));
  size_t i = fb + 1;
  for (; i + 8 <= lb; i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    n += std::popcount(w);
  }
  for (; i < lb; i++) n += std::popcount(byte(i));
  return n;
}

// BITCOUNT key [start end [BYTE|BIT]]. As Redis, a missing key answers 0
// before the arguments are looked at.
void BitCount(CommandContext& ctx, Args& a) {
  Entry e;
  const BitRead r = ReadForBits(ctx, a[1], false, &e);
  if (r == BitRead::kReplied) return;
  if (r == BitRead::kMissing) return ctx.w->Int(0);
  const std::string_view v = e.payload();
  const int64_t len = static_cast<int64_t>(v.size());
  BitRange range;
  if (a.size() == 4 || a.size() == 5) {
    int64_t start, end;
    if (!ParseInt64(a[2], &start) || !ParseInt64(a[3], &end)) {
      return ctx.w->Error(kErrNotInt);
    }
    // As Redis 7.0: an empty negative range answers before the unit is
    // looked at.
    if (start < 0 && end < 0 && start > end) return ctx.w->Int(0);
    bool bits = false;
    if (a.size() == 5 && !ParseUnit(ctx, a[4], &bits)) return;
    range = ClampRange(start, end, len, bits);
  } else if (a.size() == 2) {
    range = ClampRange(0, -1, len, false);
  } else {
    return ctx.w->Error(kErrSyntax);
  }
  ctx.w->Int(CountBits(v, range));
}

// The first bit equal to bit in r, or -1.
int64_t FindBit(std::string_view s, const BitRange& r, int bit) {
  const uint8_t skip = bit ? 0x00 : 0xFF;  // a byte without the bit
  for (int64_t i = r.first; i <= r.last;) {
    if ((i & 7) == 0 && i + 7 <= r.last &&
        static_cast<uint8_t>(s[static_cast<size_t>(i >> 3)]) == skip) {
      i += 8;
      continue;
    }
    if (GetBit(s, static_cast<uint64_t>(i)) == bit) return i;
    i++;
  }
  return -1;
}

// BITPOS key 0|1 [start [end [BYTE|BIT]]]
void BitPos(CommandContext& ctx, Args& a) {
  int64_t bit;
  if (!ParseInt64(a[2], &bit)) return ctx.w->Error(kErrNotInt);
  if (bit != 0 && bit != 1) {
    return ctx.w->Error("ERR The bit argument must be 1 or 0.");
  }
  Entry e;
  const BitRead r = ReadForBits(ctx, a[1], false, &e);
  if (r == BitRead::kReplied) return;
  // A missing key is an endless run of 0 bits.
  if (r == BitRead::kMissing) return ctx.w->Int(bit ? -1 : 0);
  const std::string_view v = e.payload();
  const int64_t len = static_cast<int64_t>(v.size());
  bool end_given = false;
  BitRange range;
  if (a.size() >= 4 && a.size() <= 6) {
    int64_t start, end = -1;
    if (!ParseInt64(a[3], &start)) return ctx.w->Error(kErrNotInt);
    bool bits = false;
    if (a.size() == 6 && !ParseUnit(ctx, a[5], &bits)) return;
    if (a.size() >= 5) {
      if (!ParseInt64(a[4], &end)) return ctx.w->Error(kErrNotInt);
      end_given = true;
    }
    range = ClampRange(start, end, len, bits);
  } else if (a.size() == 3) {
    range = ClampRange(0, -1, len, false);
  } else {
    return ctx.w->Error(kErrSyntax);
  }
  if (range.empty()) return ctx.w->Int(-1);
  int64_t pos = FindBit(v, range, static_cast<int>(bit));
  // Looking for a 0 without an explicit end, the string continues with
  // zeros: the answer is the first bit after the range's last byte.
  if (pos < 0 && bit == 0 && !end_given) pos = ((range.last >> 3) + 1) * 8;
  ctx.w->Int(pos);
}

// BITOP AND|OR|XOR|NOT destkey key [key ...]: the result's length. The
// destination is replaced by a plain string (no expiry), or deleted when
// every source is empty or missing.
void BitOp(CommandContext& ctx, Args& a) {
  enum { kAnd, kOr, kXor, kNot } op;
  if (OptionIs(a[1], "and")) {
    op = kAnd;
  } else if (OptionIs(a[1], "or")) {
    op = kOr;
  } else if (OptionIs(a[1], "xor")) {
    op = kXor;
  } else if (OptionIs(a[1], "not")) {
    op = kNot;
  } else {
    return ctx.w->Error(kErrSyntax);
  }
  if (op == kNot && a.size() != 4) {
    return ctx.w->Error(
        "ERR BITOP NOT must be called with a single source key.");
  }
  const size_t n = a.size() - 3;
  std::vector<std::string> src(n);
  size_t maxlen = 0;
  for (size_t i = 0; i < n; i++) {
    Entry e;
    if (ReadForBits(ctx, a[3 + i], false, &e) == BitRead::kReplied) return;
    src[i] = e.TakePayload();
    maxlen = std::max(maxlen, src[i].size());
  }
  const std::string& dest = a[2];
  if (maxlen == 0) {
    if (ctx.ks()->Exists(dest)) {
      Status s = ctx.ks()->Delete(dest);
      if (!s.ok()) return ReplyStatus(ctx.w, s);
      ctx.ks()->Notify(kNotifyGeneric, "del", dest);
    }
    return ctx.w->Int(0);
  }
  // A source shorter than the longest reads as zero bytes past its end.
  std::string out = std::move(src[0]);
  out.resize(maxlen, '\0');
  if (op == kNot) {
    for (char& c : out) c = static_cast<char>(~c);
  }
  for (size_t i = 1; i < n; i++) {
    const std::string& s = src[i];
    for (size_t j = 0; j < maxlen; j++) {
      const char b = j < s.size() ? s[j] : '\0';
      if (op == kAnd) out[j] = static_cast<char>(out[j] & b);
      if (op == kOr) out[j] = static_cast<char>(out[j] | b);
      if (op == kXor) out[j] = static_cast<char>(out[j] ^ b);
    }
  }
  Status s = ctx.ks()->Put(dest, out, 0, 0);
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  ctx.ks()->Notify(kNotifyString, "set", dest);
  ctx.w->Int(static_cast<int64_t>(maxlen));
}

constexpr uint32_t W = kCmdWrite, R = kCmdReadOnly, F = kCmdFast;

const CommandSpec kCommands[] = {
    {"setbit", 4, W, SetBit, 1, 1, 1, "bitmap", "Set or clear a bit"},
    {"getbit", 3, R | F, GetBitCmd, 1, 1, 1, "bitmap", "Read a bit"},
    {"bitcount", -2, R, BitCount, 1, 1, 1, "bitmap", "Count the set bits"},
    {"bitpos", -3, R, BitPos, 1, 1, 1, "bitmap", "The first bit set or clear"},
    {"bitop", -4, W, BitOp, 2, -1, 1, "bitmap",
     "A bitwise operation between strings"},
};

}  // namespace

std::span<const CommandSpec> BitCommands() { return kCommands; }

}  // namespace shale::server
