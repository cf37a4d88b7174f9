// SORT and SORT_RO: the elements of a list, set or sorted set, sorted
// numerically or (ALPHA) as strings, by themselves or by the values of
// other keys (BY pattern, `*` replaced by the element, `key->field` for a
// hash field), with LIMIT, GET patterns (`#` is the element) and STORE into
// a list, as Redis 7.0's sortCommandGeneric does.
//
// Like Redis, it loads the whole collection into memory (one string per
// element, plus a score or a BY value): O(n) memory and O(n log n) time,
// whatever LIMIT asks for. Elements come in the collection's order: a list
// in order, a set in member byte order (Redis: hash-table order, which
// shows only when nothing is sorted: BY without `*` on a set, without
// STORE), a sorted set in score order.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "server/keyspace/list.h"
#include "server/keyspace/zset.h"
#include "server/redis/collection_cmd.h"

namespace shale::server {
namespace {

struct SortOptions {
  std::string_view by;  // empty: none
  bool has_by = false;
  bool dontsort = false;  // BY without '*': no sorting at all
  int64_t offset = 0, count = -1;
  std::vector<std::string_view> gets;
  bool desc = false, alpha = false;
  std::string_view store;
  bool has_store = false;
};

// Redis's option loop: false with the error written.
bool ParseSort(CommandContext& ctx, const Args& a, bool readonly,
               SortOptions* o) {
  for (size_t j = 2; j < a.size(); j++) {
    const size_t left = a.size() - j - 1;
    if (OptionIs(a[j], "asc")) {
      o->desc = false;
    } else if (OptionIs(a[j], "desc")) {
      o->desc = true;
    } else if (OptionIs(a[j], "alpha")) {
      o->alpha = true;
    } else if (OptionIs(a[j], "limit") && left >= 2) {
      if (!ParseInt64(a[j + 1], &o->offset) ||
          !ParseInt64(a[j + 2], &o->count)) {
        ctx.w->Error(kErrNotInt);
        return false;
      }
      j += 2;
    } else if (!readonly && OptionIs(a[j], "store") && left >= 1) {
      o->store = a[j + 1];
      o->has_store = true;
      j++;
    } else if (OptionIs(a[j], "by") && left >= 1) {
      o->by = a[j + 1];
      o->has_by = true;
      // Redis looks for '*' with strchr: only before a NUL counts.
      o->dontsort = CString(o->by).find('*') == std::string_view::npos;
      j++;
    } else if (OptionIs(a[j], "get") && left >= 1) {
      o->gets.push_back(a[j + 1]);
      j++;
    } else {
      ctx.w->Error(kErrSyntax);
      return false;
    }
  }
  return true;
}

// Redis's lookupKeyByPattern: the value pattern names for element e (a
// string key's value, or with `->field` a hash field), or false if there
// is none. `#` alone is the element itself; a pattern without '*' names
// nothing.
bool LookupByPattern(CommandContext& ctx, std::string_view pattern,
                     std::string_view e, std::string* out, Status* err) {
  const std::string_view p = CString(pattern);
  if (p == "#") {
    out->assign(e);
    return true;
  }
  const size_t star = p.find('*');
  if (star == std::string_view::npos) return false;
  std::string_view field;
  bool has_field = false;
  const size_t arrow = p.find("->", star + 1);
  if (arrow != std::string_view::npos && arrow + 2 < p.size()) {
    has_field = true;
    field = pattern.substr(arrow + 2);  // the rest of the argument, NULs too
  }
  // The key: prefix, element, then the pattern after '*' up to "->".
  std::string key(pattern.substr(0, star));
  key.append(e);
  const size_t post_end =
      has_field ? arrow : pattern.size();  // Redis keeps bytes past a NUL
  key.append(pattern.substr(star + 1, post_end - (star + 1)));
  Entry entry;
  Status s = ctx.ks()->Get(key, &entry, ctx.ks()->ReadSnapshot(key));
  if (s.IsNotFound()) {
    ctx.ks()->Notify(kNotifyKeyMiss, "keymiss", key);
    return false;
  }
  if (!s.ok()) {
    *err = s;
    return false;
  }
  if (!has_field) {
    if (entry.meta().type != KeyType::kString) return false;
    out->assign(entry.payload());
    return true;
  }
  if (entry.meta().type != KeyType::kHash) return false;
  Collection h(ctx.ks(), KeyType::kHash);
  s = h.Open(key);
  if (s.ok() && h.found()) s = h.Get(field, out);
  if (s.ok() && h.found()) return true;
  if (!s.ok() && !s.IsNotFound()) *err = s;
  return false;
}

// Reads the elements of key (a list, set or sorted set) into *out, in the
// collection's order; false with the reply written (WRONGTYPE, an engine
// error).
bool LoadElements(CommandContext& ctx, std::string_view key,
                  std::vector<std::string>* out, KeyType* type) {
  Entry e;
  Status s = ctx.ks()->Get(key, &e, ctx.ks()->ReadSnapshot(key));
  *type = KeyType::kList;
  if (s.IsNotFound()) {
    // Redis reads the source with lookupKeyRead, STORE or not.
    ctx.ks()->Notify(kNotifyKeyMiss, "keymiss", key);
    return true;  // an empty list
  }
  if (!s.ok()) {
    ReplyStatus(ctx.w, s);
    return false;
  }
  *type = e.meta().type;
  if (*type != KeyType::kList && *type != KeyType::kSet &&
      *type != KeyType::kZSet) {
    ctx.w->Error(kErrWrongType);
    return false;
  }
  Collection c(ctx.ks(), *type);
  s = c.Open(key);
  if (!s.ok() || !c.found()) {
    if (!s.ok()) ReplyStatus(ctx.w, s);
    return s.ok();
  }
  const uint64_t n = c.count();
  out->reserve(n);
  std::unique_ptr<ElementIterator> it;
  ZSet z(&c);
  if (*type == KeyType::kList) {
    it = List(&c).IterateFrom(0);
  } else if (*type == KeyType::kSet) {
    it = c.NewIterator();
    it->SeekToFirst();
  } else {
    it = z.NewScoreIterator();
    z.SeekFirst(it.get());
  }
  for (; it->Valid() && out->size() < n; it->Next()) {
    if (*type == KeyType::kZSet) {
      double score;
      std::string_view member;
      if (!ParseScoreSub(it->sub(), &score, &member)) {
        ReplyStatus(ctx.w, Status::Corruption("bad score index entry"));
        return false;
      }
      out->emplace_back(member);
    } else if (*type == KeyType::kList) {
      out->emplace_back(it->value());
    } else {
      out->emplace_back(it->sub());
    }
  }
  s = it->status();
  if (s.ok() && out->size() != n) {
    s = Status::Corruption("collection count does not match its elements");
  }
  if (!s.ok()) {
    ReplyStatus(ctx.w, s);
    return false;
  }
  return true;
}

struct Item {
  std::string elem;
  double score = 0;
  std::string by;  // ALPHA with BY: the BY value
  bool has_by = false;
};

// Redis's strtod check of a score: the whole string (as a C string) read,
// no overflow or underflow (ERANGE), not NaN. Leading blanks and an empty
// string (0) pass, as they do there.
bool ParseSortScore(std::string_view v, double* d) {
  const std::string s(CString(v));
  char* end;
  errno = 0;
  *d = std::strtod(s.c_str(), &end);
  return *end == '\0' && errno != ERANGE && !std::isnan(*d);
}

// strcoll in the C locale (what redis-server runs with here): strcmp of
// the strings up to their first NUL.
int Collate(std::string_view a, std::string_view b) {
  return CString(a).compare(CString(b));
}

void Sort(CommandContext& ctx, Args& a, bool readonly) {
  SortOptions o;
  if (!ParseSort(ctx, a, readonly, &o)) return;
  std::vector<std::string> elems;
  KeyType type;
  if (!LoadElements(ctx, a[1], &elems, &type)) return;
  bool dontsort = o.dontsort;
  bool alpha = o.alpha;
  bool by = o.has_by;
  // Redis sorts a set even with BY nosort when it stores the result, so
  // that the stored list does not depend on its hash table.
  if (dontsort && type == KeyType::kSet && o.has_store) {
    dontsort = false;
    alpha = true;
    by = false;
  }
  const int64_t n = static_cast<int64_t>(elems.size());
  // The rows [start, end] of the result, as Redis bounds LIMIT: a count
  // past the end (even one whose sum with start overflows) runs to the
  // end, as redis-server 7.0.15 answers.
  int64_t start = o.offset < 0 ? 0 : o.offset;
  int64_t end;
  if (start >= n) {
    start = n - 1;
    end = n - 2;
  } else {
    end = o.count < 0 ? n - 1 : start + std::min(o.count, n) - 1;
    if (end >= n) end = n - 1;
  }

  std::vector<Item> items(elems.size());
  for (size_t i = 0; i < elems.size(); i++) items[i].elem = std::move(elems[i]);
  if (dontsort) {
    // A list or a sorted set comes in its order (by rank): DESC walks it
    // from the other end, as Redis does.
    if (type != KeyType::kSet && o.desc) {
      std::reverse(items.begin(), items.end());
    }
  } else {
    bool bad_score = false;
    std::string v;
    for (Item& it : items) {
      const std::string* val = &it.elem;
      if (by) {
        Status err;
        if (!LookupByPattern(ctx, o.by, it.elem, &v, &err)) {
          if (!err.ok()) return ReplyStatus(ctx.w, err);
          continue;  // no value: score 0, or first for ALPHA
        }
        val = &v;
      }
      if (alpha) {
        if (by) {
          it.by = *val;
          it.has_by = true;
        }
      } else if (!ParseSortScore(*val, &it.score)) {
        bad_score = true;
      }
    }
    if (bad_score) {
      return ctx.w->Error(
          "ERR One or more scores can't be converted into double");
    }
    const bool desc = o.desc, store = o.has_store;
    auto cmp = [&](const Item& x, const Item& y) {
      int c;
      if (!alpha) {
        c = x.score > y.score ? 1 : x.score < y.score ? -1 : 0;
        if (c == 0) c = x.elem.compare(y.elem);  // Redis's tie-break
      } else if (by) {
        if (!x.has_by || !y.has_by) {
          c = x.has_by == y.has_by ? 0 : !x.has_by ? -1 : 1;
        } else {
          c = store ? x.by.compare(y.by) : Collate(x.by, y.by);
        }
      } else {
        c = store ? x.elem.compare(y.elem) : Collate(x.elem, y.elem);
      }
      return desc ? c > 0 : c < 0;
    };
    std::stable_sort(items.begin(), items.end(), cmp);
  }

  const int64_t rows = end >= start ? end - start + 1 : 0;
  const size_t per = o.gets.empty() ? 1 : o.gets.size();
  std::vector<std::string> out;
  std::vector<bool> present;
  out.reserve(static_cast<size_t>(rows) * per);
  std::string v;
  for (int64_t j = start; j <= end; j++) {
    const std::string& e = items[static_cast<size_t>(j)].elem;
    if (o.gets.empty()) {
      out.push_back(e);
      present.push_back(true);
      continue;
    }
    for (std::string_view g : o.gets) {
      Status err;
      const bool found = LookupByPattern(ctx, g, e, &v, &err);
      if (!err.ok()) return ReplyStatus(ctx.w, err);
      out.push_back(found ? v : std::string());
      present.push_back(found);
    }
  }
  if (!o.has_store) {
    ctx.w->Array(out.size());
    for (size_t i = 0; i < out.size(); i++) {
      if (present[i]) {
        ctx.w->Bulk(out[i]);
      } else {
        ctx.w->Null();
      }
    }
    return;
  }
  // STORE: the destination becomes a list of the output (a missing GET
  // value stores ""), or goes if there is none.
  Collection dst(ctx.ks(), KeyType::kList);
  Status s = dst.Open(o.store);
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  dst.Replace();  // whatever type it held
  List l(&dst);
  for (const std::string& e : out) l.PushBack(e);
  bool deleted = false;
  s = dst.Finish(&deleted);
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  if (!out.empty()) {
    ctx.ks()->Notify(kNotifyList, "sortstore", o.store);
  } else if (deleted) {
    ctx.ks()->Notify(kNotifyGeneric, "del", o.store);
  }
  ctx.w->Int(static_cast<int64_t>(out.size()));
}

void SortCmd(CommandContext& ctx, Args& a) { Sort(ctx, a, false); }
void SortRo(CommandContext& ctx, Args& a) { Sort(ctx, a, true); }

const CommandSpec kCommands[] = {
    {"sort", -2, kCmdWrite, SortCmd, 1, 1, 1, "generic",
     "Sort a list, set or sorted set, or store the result"},
    {"sort_ro", -2, kCmdReadOnly, SortRo, 1, 1, 1, "generic",
     "Sort a list, set or sorted set"},
};

}  // namespace

std::span<const CommandSpec> SortCommands() { return kCommands; }

}  // namespace shale::server
