// The algebra of sets: SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE
// SDIFF SDIFFSTORE.
//
// Every source key is opened first, in argument order, with Redis's checks
// (a missing key is an empty set and a "keymiss" event; any key of another
// type answers WRONGTYPE). Then:
//   - intersection walks the smallest set and probes the others with point
//     reads (SINTERCARD stops at its LIMIT);
//   - union merges the sets' iterators (each in member order);
//   - difference walks the first set and probes the others.
// Results come out in member byte order. The *STORE commands write the
// result into the destination as a new incarnation in the same Tx (the
// dispatcher locked every key), streaming it: a source that is also the
// destination is read at its old version while the new one is written.
#include <algorithm>
#include <functional>
#include <memory>
#include <vector>

#include "server/redis/collection_cmd.h"

namespace shale::server {
namespace {

enum class Op { kInter, kUnion, kDiff };

using Sets = std::vector<std::unique_ptr<Collection>>;
// Called with each member of the result, in order; false stops the walk.
using Sink = std::function<bool(std::string_view)>;

// Opens keys as sets into *sets (absent ones included). False with the
// reply written on an error or WRONGTYPE.
bool OpenSources(CommandContext& ctx, std::span<const std::string> keys,
                 Sets* sets) {
  for (const std::string& key : keys) {
    auto s = std::make_unique<Collection>(ctx.ks(), KeyType::kSet);
    if (!OpenCollRead(ctx, s.get(), key)) return false;
    sets->push_back(std::move(s));
  }
  return true;
}

// Whether member is in every set of others (found sets).
Status InAll(const std::vector<Collection*>& others, std::string_view member,
             bool* in) {
  std::string v;
  for (Collection* o : others) {
    Status st = o->Get(member, &v);
    if (st.IsNotFound()) {
      *in = false;
      return Status::OK();
    }
    if (!st.ok()) return st;
  }
  *in = true;
  return Status::OK();
}

Status Intersect(const Sets& sets, const Sink& sink) {
  std::vector<Collection*> order;
  for (const auto& s : sets) {
    if (!s->found()) return Status::OK();  // with an empty set: empty
    order.push_back(s.get());
  }
  std::stable_sort(
      order.begin(), order.end(),
      [](Collection* x, Collection* y) { return x->count() < y->count(); });
  // The same key named twice needs no probe of itself.
  std::vector<Collection*> others;
  for (size_t i = 1; i < order.size(); i++) {
    if (order[i]->key() != order[0]->key()) others.push_back(order[i]);
  }
  auto it = order[0]->NewIterator();
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    bool in;
    Status st = InAll(others, it->sub(), &in);
    if (!st.ok()) return st;
    if (in && !sink(it->sub())) return Status::OK();
  }
  return it->status();
}

Status Union(const Sets& sets, const Sink& sink) {
  std::vector<std::unique_ptr<ElementIterator>> its;
  for (const auto& s : sets) {
    if (!s->found()) continue;
    its.push_back(s->NewIterator());
    its.back()->SeekToFirst();
  }
  std::string last;
  while (true) {
    // The smallest member at the heads (few sets: a linear scan).
    ElementIterator* min = nullptr;
    for (auto& it : its) {
      if (!it->status().ok()) return it->status();
      if (it->Valid() && (min == nullptr || it->sub() < min->sub())) {
        min = it.get();
      }
    }
    if (min == nullptr) return Status::OK();
    last.assign(min->sub());
    if (!sink(last)) return Status::OK();
    for (auto& it : its) {
      if (it->Valid() && it->sub() == last) it->Next();
    }
  }
}

Status Diff(const Sets& sets, const Sink& sink) {
  if (!sets[0]->found()) return Status::OK();
  std::vector<Collection*> others;
  for (size_t i = 1; i < sets.size(); i++) {
    if (sets[i]->found()) others.push_back(sets[i].get());
  }
  std::string v;
  auto it = sets[0]->NewIterator();
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    bool in_any = false;
    for (Collection* o : others) {
      if (o->key() == sets[0]->key()) {
        in_any = true;
        break;
      }
      Status st = o->Get(it->sub(), &v);
      if (st.ok()) {
        in_any = true;
        break;
      }
      if (!st.IsNotFound()) return st;
    }
    if (!in_any && !sink(it->sub())) return Status::OK();
  }
  return it->status();
}

Status Compute(Op op, const Sets& sets, const Sink& sink) {
  switch (op) {
    case Op::kInter:
      return Intersect(sets, sink);
    case Op::kUnion:
      return Union(sets, sink);
    case Op::kDiff:
      return Diff(sets, sink);
  }
  return Status::OK();
}

// SINTER / SUNION / SDIFF key [key ...]: the result as a RESP3 set.
void Reply(CommandContext& ctx, Args& a, Op op) {
  Sets sets;
  if (!OpenSources(ctx, std::span(a).subspan(1), &sets)) return;
  std::vector<std::string> out;
  Status st = Compute(op, sets, [&](std::string_view m) {
    out.emplace_back(m);
    return true;
  });
  if (!st.ok()) return ReplyStatus(ctx.w, st);
  ctx.w->Set(out.size());
  for (const std::string& m : out) ctx.w->Bulk(m);
}
void SInter(CommandContext& c, Args& a) { Reply(c, a, Op::kInter); }
void SUnion(CommandContext& c, Args& a) { Reply(c, a, Op::kUnion); }
void SDiff(CommandContext& c, Args& a) { Reply(c, a, Op::kDiff); }

// SINTERSTORE / SUNIONSTORE / SDIFFSTORE destination key [key ...]: the
// result replaces the destination (its expiry goes); an empty result
// deletes it ("del" if it existed).
void Store(CommandContext& ctx, Args& a, Op op, const char* event) {
  Sets sets;
  if (!OpenSources(ctx, std::span(a).subspan(2), &sets)) return;
  Collection dst(ctx.ks(), KeyType::kSet);
  Status st = dst.Open(a[1]);
  if (!st.ok()) return ReplyStatus(ctx.w, st);
  dst.Replace();
  uint64_t n = 0;
  st = Compute(op, sets, [&](std::string_view m) {
    dst.Put(m, {});
    n++;
    // Redis builds the result as an intset and converts as it adds.
    dst.AddCount(1);
    NoteSetAdd(ctx, &dst, m);
    return true;
  });
  if (!st.ok()) return ReplyStatus(ctx.w, st);
  bool deleted = false;
  st = dst.Finish(&deleted);
  if (!st.ok()) return ReplyStatus(ctx.w, st);
  if (deleted) {
    ctx.ks()->Notify(kNotifyGeneric, "del", a[1]);
  } else if (n > 0) {
    ctx.ks()->Notify(kNotifySet, event, a[1]);
  }
  ctx.w->Int(static_cast<int64_t>(n));
}
void SInterStore(CommandContext& c, Args& a) {
  Store(c, a, Op::kInter, "sinterstore");
}
void SUnionStore(CommandContext& c, Args& a) {
  Store(c, a, Op::kUnion, "sunionstore");
}
void SDiffStore(CommandContext& c, Args& a) {
  Store(c, a, Op::kDiff, "sdiffstore");
}

// SINTERCARD numkeys key [key ...] [LIMIT limit], with Redis 7.0's checks
// in its order; LIMIT 0 is no limit.
void SInterCard(CommandContext& ctx, Args& a) {
  int64_t numkeys;
  if (!ParseInt64(a[1], &numkeys) || numkeys < 1) {
    return ctx.w->Error("ERR numkeys should be greater than 0");
  }
  if (numkeys > static_cast<int64_t>(a.size()) - 2) {
    return ctx.w->Error(
        "ERR Number of keys can't be greater than number of "
        "args");
  }
  int64_t limit = 0;
  for (size_t i = 2 + static_cast<size_t>(numkeys); i < a.size(); i++) {
    if (OptionIs(a[i], "limit") && i + 1 < a.size()) {
      i++;
      if (!ParseInt64(a[i], &limit) || limit < 0) {
        return ctx.w->Error("ERR LIMIT can't be negative");
      }
    } else {
      return ctx.w->Error(kErrSyntax);
    }
  }
  Sets sets;
  if (!OpenSources(ctx, std::span(a).subspan(2, static_cast<size_t>(numkeys)),
                   &sets)) {
    return;
  }
  int64_t n = 0;
  Status st = Intersect(sets, [&](std::string_view) {
    n++;
    return limit == 0 || n < limit;
  });
  if (!st.ok()) return ReplyStatus(ctx.w, st);
  ctx.w->Int(n);
}

constexpr uint32_t W = kCmdWrite, R = kCmdReadOnly;

const CommandSpec kCommands[] = {
    {"sinter", -2, R, SInter, 1, -1, 1, "set", "Intersect sets"},
    {"sintercard", -3, R, SInterCard, 0, 0, 0, "set",
     "Size of an intersection"},
    {"sinterstore", -3, W, SInterStore, 1, -1, 1, "set",
     "Store an intersection"},
    {"sunion", -2, R, SUnion, 1, -1, 1, "set", "Union of sets"},
    {"sunionstore", -3, W, SUnionStore, 1, -1, 1, "set", "Store a union"},
    {"sdiff", -2, R, SDiff, 1, -1, 1, "set", "Difference of sets"},
    {"sdiffstore", -3, W, SDiffStore, 1, -1, 1, "set", "Store a difference"},
};

}  // namespace

std::span<const CommandSpec> SetOpCommands() { return kCommands; }

}  // namespace shale::server
