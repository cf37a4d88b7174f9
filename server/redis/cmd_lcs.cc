// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN]: the longest
// common subsequence of two strings, as Redis 7.0 computes and reports it
// (the same dynamic-programming table, so the same subsequence and
// ranges when several are equally long).
//
// The table takes (len1 + 1) * (len2 + 1) * 4 bytes; like Redis, shale
// refuses a table larger than proto-max-bulk-len, which bounds the memory
// and time one request can take.
#include <vector>

#include "server/redis/command.h"

namespace shale::server {
namespace {

struct LcsOptions {
  bool len = false, idx = false, with_match_len = false;
  int64_t min_match_len = 0;
};

// One key's string ("" if missing, announcing "keymiss"). False (an
// error written) for an engine error; *wrong for another type.
bool ReadLcsInput(CommandContext& ctx, std::string_view key, std::string* v,
                  bool* wrong) {
  Entry e;
  Status s = ctx.ks()->Get(key, &e);
  if (s.IsNotFound()) {
    ctx.ks()->Notify(kNotifyKeyMiss, "keymiss", key);
    return true;
  }
  if (!s.ok()) {
    ReplyStatus(ctx.w, s);
    return false;
  }
  if (e.meta().type != KeyType::kString) {
    *wrong = true;
  } else {
    *v = e.TakePayload();
  }
  return true;
}

void Lcs(CommandContext& ctx, Args& a) {
  std::string x, y;
  bool wrong = false;
  if (!ReadLcsInput(ctx, a[1], &x, &wrong)) return;
  if (!ReadLcsInput(ctx, a[2], &y, &wrong)) return;
  if (wrong) {
    return ctx.w->Error("ERR The specified keys must contain string values");
  }
  LcsOptions o;
  for (size_t j = 3; j < a.size(); j++) {
    if (OptionIs(a[j], "idx")) {
      o.idx = true;
    } else if (OptionIs(a[j], "len")) {
      o.len = true;
    } else if (OptionIs(a[j], "withmatchlen")) {
      o.with_match_len = true;
    } else if (OptionIs(a[j], "minmatchlen") && j + 1 < a.size()) {
      if (!ParseInt64(a[++j], &o.min_match_len)) {
        return ctx.w->Error(kErrNotInt);
      }
      if (o.min_match_len < 0) o.min_match_len = 0;
    } else {
      return ctx.w->Error(kErrSyntax);
    }
  }
  if (o.idx && o.len) {
    return ctx.w->Error(
        "ERR If you want both the length and indexes, please just use IDX.");
  }
  const uint64_t n = x.size(), m = y.size();
  if (n >= UINT32_MAX - 1 || m >= UINT32_MAX - 1) {
    return ctx.w->Error("ERR String too long for LCS");
  }
  if ((n + 1) * (m + 1) * sizeof(uint32_t) > ctx.server->max_value_bytes()) {
    return ctx.w->Error(
        "ERR Insufficient memory, transient memory for LCS exceeds "
        "proto-max-bulk-len");
  }
  // t[i * (m + 1) + j]: the LCS length of x[0, i) and y[0, j).
  std::vector<uint32_t> t((n + 1) * (m + 1), 0);
  const auto at = [&](uint64_t i, uint64_t j) -> uint32_t& {
    return t[i * (m + 1) + j];
  };
  for (uint64_t i = 1; i <= n; i++) {
    for (uint64_t j = 1; j <= m; j++) {
      at(i, j) = x[i - 1] == y[j - 1] ? at(i - 1, j - 1) + 1
                                      : std::max(at(i - 1, j), at(i, j - 1));
    }
  }
  const uint32_t total = at(n, m);
  if (o.len) return ctx.w->Int(total);

  // Walk back from (n, m), as Redis: the subsequence right to left, and
  // with IDX the matching ranges, last first.
  std::string result(total, '\0');
  struct Match {
    uint64_t a_start, a_end, b_start, b_end;
  };
  std::vector<Match> matches;
  bool open = false;  // a range is being extended backwards
  Match cur{};
  uint32_t k = total;
  uint64_t i = n, j = m;
  while (i > 0 && j > 0) {
    bool emit = false;
    if (x[i - 1] == y[j - 1]) {
      result[--k] = x[i - 1];
      if (!open) {
        cur = {i - 1, i - 1, j - 1, j - 1};
        open = true;
      } else {
        cur.a_start--;
        cur.b_start--;
      }
      if (cur.a_start == 0 || cur.b_start == 0) emit = true;
      i--;
      j--;
    } else {
      if (at(i - 1, j) > at(i, j - 1)) {
        i--;
      } else {
        j--;
      }
      emit = open;
    }
    if (emit) {
      const uint64_t len = cur.a_end - cur.a_start + 1;
      if (o.min_match_len == 0 ||
          len >= static_cast<uint64_t>(o.min_match_len)) {
        matches.push_back(cur);
      }
      open = false;
    }
  }
  if (!o.idx) return ctx.w->Bulk(result);
  ctx.w->Map(2);
  ctx.w->Bulk("matches");
  ctx.w->Array(matches.size());
  for (const Match& mt : matches) {
    ctx.w->Array(o.with_match_len ? 3 : 2);
    ctx.w->Array(2);
    ctx.w->Int(static_cast<int64_t>(mt.a_start));
    ctx.w->Int(static_cast<int64_t>(mt.a_end));
    ctx.w->Array(2);
    ctx.w->Int(static_cast<int64_t>(mt.b_start));
    ctx.w->Int(static_cast<int64_t>(mt.b_end));
    if (o.with_match_len) {
      ctx.w->Int(static_cast<int64_t>(mt.a_end - mt.a_start + 1));
    }
  }
  ctx.w->Bulk("len");
  ctx.w->Int(total);
}

const CommandSpec kCommands[] = {
    {"lcs", -3, kCmdReadOnly, Lcs, 1, 2, 1, "string",
     "The longest common subsequence of two strings"},
};

}  // namespace

std::span<const CommandSpec> LcsCommands() { return kCommands; }

}  // namespace shale::server
