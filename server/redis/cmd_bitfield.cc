// BITFIELD and BITFIELD_RO: signed and unsigned integers of 1..64 bits
// (u: 1..63) at any bit offset of a string, with Redis 7.0's overflow
// rules (WRAP, SAT, FAIL), replies and events.
#include <algorithm>
#include <optional>
#include <vector>

#include "server/redis/bits.h"

namespace shale::server {
namespace {

enum class Overflow { kWrap, kSat, kFail };

struct FieldOp {
  enum Kind { kGet, kSet, kIncrBy } kind;
  bool sign;
  int bits;
  uint64_t offset;
  int64_t value;  // SET's value, INCRBY's increment
  Overflow overflow;
};

uint64_t GetField(std::string_view s, uint64_t offset, int bits) {
  uint64_t v = 0;
  for (int i = 0; i < bits; i++) {
    v = (v << 1) | static_cast<uint64_t>(GetBit(s, offset + i));
  }
  return v;
}

int64_t GetSignedField(std::string_view s, uint64_t offset, int bits) {
  uint64_t u = GetField(s, offset, bits);
  if (bits < 64 && (u & (uint64_t{1} << (bits - 1)))) u |= ~uint64_t{0} << bits;
  return static_cast<int64_t>(u);
}

void SetField(std::string* s, uint64_t offset, int bits, uint64_t v) {
  for (int i = 0; i < bits; i++) {
    SetBitIn(s, offset + i, static_cast<int>((v >> (bits - 1 - i)) & 1));
  }
}

// Whether value + incr leaves an unsigned field of bits (<= 63); if so,
// *out gets what WRAP or SAT store (FAIL stores nothing). SET checks its
// value with incr 0: a negative value is a huge unsigned one.
bool UnsignedOverflow(uint64_t value, int64_t incr, int bits, Overflow ow,
                      uint64_t* out) {
  const uint64_t max = (uint64_t{1} << bits) - 1;
  const int64_t max_incr = static_cast<int64_t>(max - value);
  const int64_t min_incr = static_cast<int64_t>(-value);
  const bool high = value > max || (incr > 0 && incr > max_incr);
  const bool low = !high && incr < 0 && incr < min_incr;
  if (!high && !low) return false;
  if (ow == Overflow::kWrap) {
    *out = (value + static_cast<uint64_t>(incr)) & max;
  } else if (ow == Overflow::kSat) {
    *out = high ? max : 0;
  }
  return true;
}

// The same for a signed field of bits (<= 64). The increments' limits are
// computed in unsigned arithmetic (they may wrap; they are used only where
// they do not).
bool SignedOverflow(int64_t value, int64_t incr, int bits, Overflow ow,
                    int64_t* out) {
  const int64_t max =
      bits == 64 ? INT64_MAX
                 : static_cast<int64_t>((uint64_t{1} << (bits - 1)) - 1);
  const int64_t min = -max - 1;
  const auto u = [](int64_t x) { return static_cast<uint64_t>(x); };
  const int64_t max_incr = static_cast<int64_t>(u(max) - u(value));
  const int64_t min_incr = static_cast<int64_t>(u(min) - u(value));
  const bool high = value > max || (bits != 64 && incr > max_incr) ||
                    (value >= 0 && incr > 0 && incr > max_incr);
  const bool low = !high && (value < min || (bits != 64 && incr < min_incr) ||
                             (value < 0 && incr < 0 && incr < min_incr));
  if (!high && !low) return false;
  if (ow == Overflow::kWrap) {
    uint64_t c = u(value) + u(incr);
    if (bits < 64) {
      const uint64_t mask = ~uint64_t{0} << bits;
      c = (c & (uint64_t{1} << (bits - 1))) ? (c | mask) : (c & ~mask);
    }
    *out = static_cast<int64_t>(c);
  } else if (ow == Overflow::kSat) {
    *out = high ? max : min;
  }
  return true;
}

// "i<1..64>" or "u<1..63>".
bool ParseFieldType(CommandContext& ctx, std::string_view arg, bool* sign,
                    int* bits) {
  arg = CString(arg);
  int64_t n;
  if (arg.empty() || (arg[0] != 'i' && arg[0] != 'u') ||
      !ParseInt64(arg.substr(1), &n) || n < 1 ||
      n > (arg[0] == 'i' ? 64 : 63)) {
    ctx.w->Error(
        "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 "
        "is not supported but i64 is.");
    return false;
  }
  *sign = arg[0] == 'i';
  *bits = static_cast<int>(n);
  return true;
}

// Parses the subcommands into *ops, Redis's way (errors in argument order).
// *max_bit: the highest bit a SET or INCRBY reaches; *writes: whether any
// does. False if an error was written.
bool ParseOps(CommandContext& ctx, const Args& a, std::vector<FieldOp>* ops,
              bool* writes, uint64_t* max_bit) {
  Overflow ow = Overflow::kWrap;
  for (size_t j = 2; j < a.size(); j++) {
    const size_t rest = a.size() - j - 1;
    const std::string& sub = a[j];
    FieldOp op{};
    if (OptionIs(sub, "get") && rest >= 2) {
      op.kind = FieldOp::kGet;
    } else if (OptionIs(sub, "set") && rest >= 3) {
      op.kind = FieldOp::kSet;
    } else if (OptionIs(sub, "incrby") && rest >= 3) {
      op.kind = FieldOp::kIncrBy;
    } else if (OptionIs(sub, "overflow") && rest >= 1) {
      const std::string& t = a[++j];
      if (OptionIs(t, "wrap")) {
        ow = Overflow::kWrap;
      } else if (OptionIs(t, "sat")) {
        ow = Overflow::kSat;
      } else if (OptionIs(t, "fail")) {
        ow = Overflow::kFail;
      } else {
        ctx.w->Error("ERR Invalid OVERFLOW type specified");
        return false;
      }
      continue;
    } else {
      ctx.w->Error(kErrSyntax);
      return false;
    }
    if (!ParseFieldType(ctx, a[j + 1], &op.sign, &op.bits)) return false;
    if (!ParseBitOffset(ctx, a[j + 2], op.bits, &op.offset)) return false;
    if (op.kind != FieldOp::kGet) {
      *writes = true;
      *max_bit = std::max(*max_bit, op.offset + op.bits - 1);
      if (!ParseInt64(a[j + 3], &op.value)) {
        ctx.w->Error(kErrNotInt);
        return false;
      }
    }
    op.overflow = ow;
    ops->push_back(op);
    j += op.kind == FieldOp::kGet ? 2 : 3;
  }
  return true;
}

// Runs one SET or INCRBY on v: its reply, or nullopt when FAIL refused it
// (v unchanged). *changed: the field's value changed.
std::optional<int64_t> RunWrite(const FieldOp& op, std::string* v,
                                bool* changed) {
  const bool incr = op.kind == FieldOp::kIncrBy;
  bool overflow;
  uint64_t store;
  int64_t reply;
  if (op.sign) {
    const int64_t old = GetSignedField(*v, op.offset, op.bits);
    int64_t nv = op.value;
    if (incr) {
      overflow = SignedOverflow(old, op.value, op.bits, op.overflow, &nv);
      if (!overflow) {
        nv = static_cast<int64_t>(static_cast<uint64_t>(old) +
                                  static_cast<uint64_t>(op.value));
      }
    } else {
      overflow = SignedOverflow(nv, 0, op.bits, op.overflow, &nv);
    }
    store = static_cast<uint64_t>(nv);
    reply = incr ? nv : old;
    *changed = nv != old;
  } else {
    const uint64_t old = GetField(*v, op.offset, op.bits);
    uint64_t nv = incr ? old + static_cast<uint64_t>(op.value)
                       : static_cast<uint64_t>(op.value);
    overflow = incr ? UnsignedOverflow(old, op.value, op.bits, op.overflow, &nv)
                    : UnsignedOverflow(nv, 0, op.bits, op.overflow, &nv);
    store = nv;
    reply = static_cast<int64_t>(incr ? nv : old);
    *changed = nv != old;
  }
  if (overflow && op.overflow == Overflow::kFail) {
    *changed = false;
    return std::nullopt;
  }
  SetField(v, op.offset, op.bits, store);
  return reply;
}

// BITFIELD key [GET type offset] [SET type offset value]
//   [INCRBY type offset increment] [OVERFLOW WRAP|SAT|FAIL] ...
// The key is created or grown to the highest bit a write reaches even when
// every write FAILs (as Redis); the event ("setbit") and WATCH's touch
// come only with a change.
void BitFieldGeneric(CommandContext& ctx, Args& a, bool read_only) {
  std::vector<FieldOp> ops;
  bool writes = false;
  uint64_t max_bit = 0;
  if (!ParseOps(ctx, a, &ops, &writes, &max_bit)) return;
  Entry e;
  std::string v;
  bool grown = false;
  if (!writes) {
    if (ReadForBits(ctx, a[1], false, &e) == BitRead::kReplied) return;
    v = e.TakePayload();
  } else {
    if (read_only) {
      return ctx.w->Error("ERR BITFIELD_RO only supports the GET subcommand");
    }
    if (!LoadForBitWrite(ctx, a[1], max_bit, &e, &v, &grown)) return;
  }
  // Replies are computed before anything is sent: the write may fail.
  std::vector<std::optional<int64_t>> replies;
  replies.reserve(ops.size());
  bool changes = false;
  for (const FieldOp& op : ops) {
    if (op.kind == FieldOp::kGet) {
      replies.push_back(
          op.sign ? GetSignedField(v, op.offset, op.bits)
                  : static_cast<int64_t>(GetField(v, op.offset, op.bits)));
      continue;
    }
    bool changed;
    replies.push_back(RunWrite(op, &v, &changed));
    changes = changes || changed || (grown && replies.back().has_value());
  }
  if (grown || changes) {
    Status s = ctx.ks()->Put(a[1], v, e.meta().flags, e.meta().expire_at_ms);
    if (!s.ok()) return ReplyStatus(ctx.w, s);
    if (changes) ctx.ks()->Notify(kNotifyString, "setbit", a[1]);
  }
  ctx.w->Array(replies.size());
  for (const auto& r : replies) {
    if (r.has_value()) {
      ctx.w->Int(*r);
    } else {
      ctx.w->Null();
    }
  }
}

void BitField(CommandContext& ctx, Args& a) { BitFieldGeneric(ctx, a, false); }
void BitFieldRo(CommandContext& ctx, Args& a) { BitFieldGeneric(ctx, a, true); }

const CommandSpec kCommands[] = {
    {"bitfield", -2, kCmdWrite, BitField, 1, 1, 1, "bitmap",
     "Integer fields of a string"},
    {"bitfield_ro", -2, kCmdReadOnly | kCmdFast, BitFieldRo, 1, 1, 1, "bitmap",
     "Read integer fields of a string"},
};

}  // namespace

std::span<const CommandSpec> BitFieldCommands() { return kCommands; }

}  // namespace shale::server
