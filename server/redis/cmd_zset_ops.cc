// The algebra of sorted sets: ZUNION ZUNIONSTORE ZINTER ZINTERSTORE
// ZINTERCARD ZDIFF ZDIFFSTORE, with WEIGHTS, AGGREGATE and WITHSCORES,
// over sorted sets and sets (a set's members score 1), as Redis 7.0's
// zunionInterDiffGenericCommand.
//
// The sources are opened in argument order (a missing key is empty and a
// "keymiss" event; a key of another type answers WRONGTYPE before any
// option is read). As Redis, union and intersection order the sources by
// size (stably) and aggregate each member's scores in that order, so that
// float sums round as Redis's do. Then:
//   - union merges the sources' member-ordered iterators: O(total);
//   - intersection walks the smallest and probes the others;
//   - difference walks the first and probes the others.
// The *STORE commands stream the result into the destination (ZStore);
// the others sort it by score for the reply: O(result) memory.
#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "server/redis/zset_cmd.h"

namespace shale::server {
namespace {

enum class Op { kUnion, kInter, kDiff };
enum class Agg { kSum, kMin, kMax };

// One input: a sorted set or a set (or nothing).
struct Source {
  std::unique_ptr<Collection> c;
  bool is_set = false;
  double weight = 1;

  bool found() const { return c->found(); }
  uint64_t size() const { return c->found() ? c->count() : 0; }
  // member's score in this input (a set's members score 1).
  Status Find(std::string_view member, double* score) {
    if (!c->found()) return Status::NotFound("empty");
    std::string v;
    Status st = c->Get(member, &v);
    if (!st.ok()) return st;
    if (is_set) {
      *score = 1;
      return Status::OK();
    }
    if (!DecodeScoreValue(v, score)) {
      return Status::Corruption("sorted-set score is not 8 bytes");
    }
    return Status::OK();
  }
};

// The score of an iterator's element of src.
Status ValueScore(const Source& src, ElementIterator* it, double* score) {
  if (src.is_set) {
    *score = 1;
    return Status::OK();
  }
  if (!DecodeScoreValue(it->value(), score)) {
    return Status::Corruption("sorted-set score is not 8 bytes");
  }
  return Status::OK();
}

void Aggregate(double* target, double v, Agg agg) {
  switch (agg) {
    case Agg::kSum:
      *target += v;
      if (std::isnan(*target)) *target = 0;
      break;
    case Agg::kMin:
      *target = v < *target ? v : *target;
      break;
    case Agg::kMax:
      *target = v > *target ? v : *target;
      break;
  }
}

// Opens key as a sorted set or a set; false with the reply written on an
// engine error or another type.
bool OpenSource(CommandContext& ctx, std::string_view key, Source* src) {
  src->c = std::make_unique<Collection>(ctx.ks(), KeyType::kZSet);
  Status st = src->c->Open(key);
  if (st.ok() && src->c->wrong_type()) {
    src->c = std::make_unique<Collection>(ctx.ks(), KeyType::kSet);
    src->is_set = true;
    st = src->c->Open(key);
  }
  if (!st.ok()) {
    ReplyStatus(ctx.w, st);
    return false;
  }
  if (src->c->wrong_type()) {
    ctx.w->Error(kErrWrongType);
    return false;
  }
  if (!src->c->found()) ctx.ks()->Notify(kNotifyKeyMiss, "keymiss", key);
  return true;
}

// Calls sink with each member of the result and its score, in member
// order (union, intersection and difference alike).
using Sink = std::function<bool(std::string_view, double)>;

Status Union(std::vector<Source*>& order, Agg agg, const Sink& sink) {
  std::vector<std::unique_ptr<ElementIterator>> its(order.size());
  for (size_t i = 0; i < order.size(); i++) {
    if (!order[i]->found()) continue;
    its[i] = order[i]->c->NewIterator();
    its[i]->SeekToFirst();
  }
  std::string member;
  while (true) {
    ElementIterator* min = nullptr;
    for (auto& it : its) {
      if (it == nullptr) continue;
      if (!it->status().ok()) return it->status();
      if (it->Valid() && (min == nullptr || it->sub() < min->sub())) {
        min = it.get();
      }
    }
    if (min == nullptr) return Status::OK();
    member.assign(min->sub());
    bool first = true;
    double score = 0;
    // In the sources' (size) order, as Redis accumulates.
    for (size_t i = 0; i < its.size(); i++) {
      ElementIterator* it = its[i].get();
      if (it == nullptr || !it->Valid() || it->sub() != member) continue;
      double v;
      Status st = ValueScore(*order[i], it, &v);
      if (!st.ok()) return st;
      v *= order[i]->weight;
      if (std::isnan(v)) v = 0;
      if (first) {
        score = v;
        first = false;
      } else {
        Aggregate(&score, v, agg);
      }
      it->Next();
    }
    if (!sink(member, score)) return Status::OK();
  }
}

Status Inter(std::vector<Source*>& order, Agg agg, const Sink& sink) {
  if (order.empty() || !order[0]->found()) return Status::OK();
  for (Source* s : order) {
    if (!s->found()) return Status::OK();
  }
  auto it = order[0]->c->NewIterator();
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    double score;
    Status st = ValueScore(*order[0], it.get(), &score);
    if (!st.ok()) return st;
    score *= order[0]->weight;
    if (std::isnan(score)) score = 0;
    bool in_all = true;
    for (size_t j = 1; j < order.size(); j++) {
      double v;
      st = order[j]->Find(it->sub(), &v);
      if (st.IsNotFound()) {
        in_all = false;
        break;
      }
      if (!st.ok()) return st;
      Aggregate(&score, v * order[j]->weight, agg);
    }
    if (in_all && !sink(it->sub(), score)) return Status::OK();
  }
  return it->status();
}

Status Diff(std::vector<Source>& srcs, const Sink& sink) {
  if (!srcs[0].found()) return Status::OK();
  auto it = srcs[0].c->NewIterator();
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    bool in_any = false;
    for (size_t j = 1; j < srcs.size() && !in_any; j++) {
      double v;
      Status st = srcs[j].Find(it->sub(), &v);
      if (st.ok()) {
        in_any = true;
      } else if (!st.IsNotFound()) {
        return st;
      }
    }
    if (in_any) continue;
    double score;
    Status st = ValueScore(srcs[0], it.get(), &score);
    if (!st.ok()) return st;
    if (!sink(it->sub(), score)) return Status::OK();
  }
  return it->status();
}

// numkeys at a[numkeys_at]; dst: the *STORE destination (or empty);
// card: ZINTERCARD.
void Generic(CommandContext& ctx, Args& a, size_t numkeys_at, Op op, bool store,
             bool card) {
  int64_t setnum;
  if (!ParseInt64(a[numkeys_at], &setnum)) return ctx.w->Error(kErrNotInt);
  if (setnum < 1) {
    return ctx.w->Error("ERR at least 1 input key is needed for '" +
                        Lower(a[0]) + "' command");
  }
  if (setnum > static_cast<int64_t>(a.size() - (numkeys_at + 1))) {
    return ctx.w->Error(kErrSyntax);
  }
  const size_t n = static_cast<size_t>(setnum);
  std::vector<Source> srcs(n);
  size_t j = numkeys_at + 1;
  for (size_t i = 0; i < n; i++, j++) {
    if (!OpenSource(ctx, a[j], &srcs[i])) return;
  }
  Agg agg = Agg::kSum;
  bool withscores = false;
  int64_t limit = 0;
  while (j < a.size()) {
    const size_t remaining = a.size() - j;
    if (op != Op::kDiff && !card && remaining >= n + 1 &&
        OptionIs(a[j], "weights")) {
      j++;
      for (size_t i = 0; i < n; i++, j++) {
        if (!ParseScore(a[j], &srcs[i].weight)) {
          return ctx.w->Error("ERR weight value is not a float");
        }
      }
    } else if (op != Op::kDiff && !card && remaining >= 2 &&
               OptionIs(a[j], "aggregate")) {
      j++;
      if (OptionIs(a[j], "sum")) {
        agg = Agg::kSum;
      } else if (OptionIs(a[j], "min")) {
        agg = Agg::kMin;
      } else if (OptionIs(a[j], "max")) {
        agg = Agg::kMax;
      } else {
        return ctx.w->Error(kErrSyntax);
      }
      j++;
    } else if (!store && !card && OptionIs(a[j], "withscores")) {
      j++;
      withscores = true;
    } else if (card && remaining >= 2 && OptionIs(a[j], "limit")) {
      j++;
      if (!ParseInt64(a[j], &limit) || limit < 0) {
        return ctx.w->Error("ERR LIMIT can't be negative");
      }
      j++;
    } else {
      return ctx.w->Error(kErrSyntax);
    }
  }
  std::vector<Source*> order;
  for (Source& s : srcs) order.push_back(&s);
  std::stable_sort(order.begin(), order.end(),
                   [](Source* x, Source* y) { return x->size() < y->size(); });
  auto compute = [&](const Sink& sink) {
    switch (op) {
      case Op::kUnion:
        return Union(order, agg, sink);
      case Op::kInter:
        return Inter(order, agg, sink);
      case Op::kDiff:
        return Diff(srcs, sink);
    }
    return Status::OK();
  };
  if (card) {
    int64_t count = 0;
    Status st = compute([&](std::string_view, double) {
      count++;
      return limit == 0 || count < limit;
    });
    if (!st.ok()) return ReplyStatus(ctx.w, st);
    return ctx.w->Int(count);
  }
  if (store) {
    ZStore dst(ctx, a[1]);
    if (!dst.Begin()) return;
    Status st = compute([&](std::string_view m, double s) {
      dst.Add(m, s);
      return true;
    });
    if (!st.ok()) return ReplyStatus(ctx.w, st);
    static constexpr const char* kEvents[] = {"zunionstore", "zinterstore",
                                              "zdiffstore"};
    return dst.Finish(kEvents[static_cast<int>(op)]);
  }
  std::vector<Scored> items;
  Status st = compute([&](std::string_view m, double s) {
    items.push_back({std::string(m), s});
    return true;
  });
  if (!st.ok()) return ReplyStatus(ctx.w, st);
  std::sort(items.begin(), items.end(), [](const Scored& x, const Scored& y) {
    return x.score < y.score || (x.score == y.score && x.member < y.member);
  });
  ReplyScored(ctx.w, items, withscores);
}

void ZUnion(CommandContext& c, Args& a) {
  Generic(c, a, 1, Op::kUnion, false, false);
}
void ZInter(CommandContext& c, Args& a) {
  Generic(c, a, 1, Op::kInter, false, false);
}
void ZDiff(CommandContext& c, Args& a) {
  Generic(c, a, 1, Op::kDiff, false, false);
}
void ZInterCard(CommandContext& c, Args& a) {
  Generic(c, a, 1, Op::kInter, false, true);
}
void ZUnionStore(CommandContext& c, Args& a) {
  Generic(c, a, 2, Op::kUnion, true, false);
}
void ZInterStore(CommandContext& c, Args& a) {
  Generic(c, a, 2, Op::kInter, true, false);
}
void ZDiffStore(CommandContext& c, Args& a) {
  Generic(c, a, 2, Op::kDiff, true, false);
}

constexpr uint32_t W = kCmdWrite, R = kCmdReadOnly;

const CommandSpec kCommands[] = {
    {"zunion", -3, R, ZUnion, 0, 0, 0, "sorted_set", "Union of sorted sets"},
    {"zunionstore", -4, W, ZUnionStore, 1, 1, 1, "sorted_set",
     "Store a union of sorted sets"},
    {"zinter", -3, R, ZInter, 0, 0, 0, "sorted_set",
     "Intersection of sorted sets"},
    {"zinterstore", -4, W, ZInterStore, 1, 1, 1, "sorted_set",
     "Store an intersection of sorted sets"},
    {"zintercard", -3, R, ZInterCard, 0, 0, 0, "sorted_set",
     "Size of an intersection of sorted sets"},
    {"zdiff", -3, R, ZDiff, 0, 0, 0, "sorted_set", "Difference of sorted sets"},
    {"zdiffstore", -4, W, ZDiffStore, 1, 1, 1, "sorted_set",
     "Store a difference of sorted sets"},
};

}  // namespace

std::span<const CommandSpec> ZSetOpCommands() { return kCommands; }

}  // namespace shale::server
