#include "server/redis/collection_cmd.h"

#include <algorithm>
#include <unordered_set>

namespace shale::server {

bool OpenColl(CommandContext& ctx, Collection* c, std::string_view key) {
  Status s = c->Open(key);
  if (!s.ok()) {
    ReplyStatus(ctx.w, s);
    return false;
  }
  if (c->wrong_type()) {
    ctx.w->Error(kErrWrongType);
    return false;
  }
  return true;
}

bool OpenCollRead(CommandContext& ctx, Collection* c, std::string_view key) {
  if (!OpenColl(ctx, c, key)) return false;
  if (!c->found()) ctx.ks()->Notify(kNotifyKeyMiss, "keymiss", key);
  return true;
}

bool FinishColl(CommandContext& ctx, Collection* c, uint32_t cls,
                const char* event) {
  bool deleted = false;
  Status s = c->Finish(&deleted);
  if (!s.ok()) {
    ReplyStatus(ctx.w, s);
    return false;
  }
  ctx.ks()->Notify(cls, event, c->key());
  if (deleted) ctx.ks()->Notify(kNotifyGeneric, "del", c->key());
  return true;
}

namespace {

// SCAN-family options after the cursor: [MATCH pattern] [COUNT n].
struct ScanOptions {
  int64_t count = 10;
  std::string_view pattern;
  bool use_pattern = false;  // a pattern other than "*"
};

bool ParseScanOptions(CommandContext& ctx, const Args& a, size_t first,
                      ScanOptions* opts) {
  for (size_t i = first; i < a.size(); i += 2) {
    if (i + 1 >= a.size()) {
      ctx.w->Error(kErrSyntax);
      return false;
    }
    if (OptionIs(a[i], "count")) {
      if (!ParseInt64(a[i + 1], &opts->count)) {
        ctx.w->Error(kErrNotInt);
        return false;
      }
      if (opts->count < 1) {
        ctx.w->Error(kErrSyntax);
        return false;
      }
    } else if (OptionIs(a[i], "match")) {
      opts->pattern = a[i + 1];
      opts->use_pattern = opts->pattern != "*";
    } else {
      ctx.w->Error(kErrSyntax);
      return false;
    }
  }
  return true;
}

}  // namespace

void ScanCollection(
    CommandContext& ctx, const Args& a, KeyType type, bool with_values,
    const std::function<std::string(std::string_view)>& format,
    const std::function<Status(Collection*, std::vector<Element>*)>&
        list_whole) {
  uint64_t cursor;
  if (!ParseScanCursor(a[2], &cursor)) {
    return ctx.w->Error("ERR invalid cursor");
  }
  Collection c(ctx.ks(), type);
  if (!OpenCollRead(ctx, &c, a[1])) return;
  if (!c.found()) {
    ctx.w->Array(2);
    ctx.w->Bulk("0");
    return ctx.w->Array(0);
  }
  ScanOptions opt;
  if (!ParseScanOptions(ctx, a, 3, &opt)) return;
  std::string start;
  if (cursor != 0 && !ctx.server->cursors.Load(cursor, &start)) {
    return ctx.w->Error("ERR invalid cursor");
  }
  const bool whole = cursor == 0 && ScansWhole(ctx, c.meta());
  GlobPattern glob(opt.pattern);
  std::vector<Element> got;
  if (whole && list_whole) {
    // The compact encoding's own order (a listpack sorted set's scores).
    std::vector<Element> all;
    Status st = list_whole(&c, &all);
    if (!st.ok()) return ReplyStatus(ctx.w, st);
    for (Element& e : all) {
      if (!opt.use_pattern || glob.Match(e.sub)) got.push_back(std::move(e));
    }
    ctx.w->Array(2);
    ctx.w->Bulk("0");
    ctx.w->Array(with_values ? got.size() * 2 : got.size());
    for (const Element& e : got) {
      ctx.w->Bulk(e.sub);
      if (with_values) ctx.w->Bulk(e.value);
    }
    return;
  }
  auto it = c.NewIterator();
  it->Seek(start);
  for (int64_t visited = 0; it->Valid() && (whole || visited < opt.count);
       visited++, it->Next()) {
    if (opt.use_pattern && !glob.Match(it->sub())) continue;
    std::string value;
    if (with_values) {
      value = format ? format(it->value()) : std::string(it->value());
    }
    got.push_back({std::string(it->sub()), std::move(value)});
  }
  if (!it->status().ok()) return ReplyStatus(ctx.w, it->status());
  uint64_t next = 0;
  if (it->Valid()) next = ctx.server->cursors.Save(std::string(it->sub()));
  ctx.w->Array(2);
  ctx.w->Bulk(std::to_string(next));
  ctx.w->Array(with_values ? got.size() * 2 : got.size());
  for (const Element& e : got) {
    ctx.w->Bulk(e.sub);
    if (with_values) ctx.w->Bulk(e.value);
  }
}

std::mt19937_64& Rng() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng;
}

Status ReadAt(Collection* c, const std::vector<uint64_t>& idx,
              std::vector<Element>* out) {
  out->clear();
  out->reserve(idx.size());
  auto it = c->NewIterator();
  uint64_t pos = 0;
  size_t k = 0;
  for (it->SeekToFirst(); it->Valid() && k < idx.size(); it->Next(), pos++) {
    if (pos != idx[k]) continue;
    out->push_back({std::string(it->sub()), std::string(it->value())});
    k++;
  }
  if (!it->status().ok()) return it->status();
  if (k != idx.size()) {
    return Status::Corruption("collection has fewer elements than its count");
  }
  return Status::OK();
}

void SamplePositions(uint64_t size, uint64_t count,
                     std::vector<uint64_t>* idx) {
  idx->clear();
  if (count >= size) {
    for (uint64_t i = 0; i < size; i++) idx->push_back(i);
    return;
  }
  std::unordered_set<uint64_t> chosen;
  for (uint64_t j = size - count; j < size; j++) {
    uint64_t t = Rng()() % (j + 1);
    if (!chosen.insert(t).second) chosen.insert(t = j);
    idx->push_back(t);
  }
  std::sort(idx->begin(), idx->end());
}

void ReplyRepeatPicks(CommandContext& ctx, const char* cmd, Collection* c,
                      uint64_t count, uint64_t min_item_bytes,
                      const std::function<void(uint64_t)>& header,
                      const std::function<void(const Element&)>& item) {
  const uint64_t limit = ctx.server->max_value_bytes();
  auto too_big = [&] {
    ctx.w->Error(std::string("ERR ") + cmd +
                 " reply would exceed proto-max-bulk-len bytes; ask for "
                 "fewer elements");
  };
  if (count > limit / min_item_bytes) return too_big();
  const uint64_t size = c->count();
  std::vector<uint64_t> idx, picks;
  if (count >= size) {
    // The reply is at least as big as the collection: read it whole once.
    SamplePositions(size, size, &idx);
  } else {
    picks.resize(count);
    for (auto& p : picks) p = Rng()() % size;
    idx = picks;
    std::sort(idx.begin(), idx.end());
    idx.erase(std::unique(idx.begin(), idx.end()), idx.end());
  }
  std::vector<Element> got;
  Status st = ReadAt(c, idx, &got);
  if (!st.ok()) return ReplyStatus(ctx.w, st);
  std::string* out = ctx.w->out();
  const size_t mark = out->size();
  header(count);
  for (uint64_t i = 0; i < count; i++) {
    size_t k;
    if (picks.empty()) {
      k = static_cast<size_t>(Rng()() % size);
    } else {
      k = static_cast<size_t>(
          std::lower_bound(idx.begin(), idx.end(), picks[i]) - idx.begin());
    }
    item(got[k]);
    if (out->size() - mark > limit) {
      out->resize(mark);
      return too_big();
    }
  }
}

namespace {

uint64_t Live(CommandContext& ctx, const LiveConfig::Ref& ref) {
  return static_cast<uint64_t>(ctx.server->live.Int(ref));
}
const LiveConfig::Ref& HashEntries() {
  static const LiveConfig::Ref r =
      LiveConfig::Resolve("hash-max-listpack-entries");
  return r;
}
const LiveConfig::Ref& HashValue() {
  static const LiveConfig::Ref r =
      LiveConfig::Resolve("hash-max-listpack-value");
  return r;
}
const LiveConfig::Ref& IntsetEntries() {
  static const LiveConfig::Ref r =
      LiveConfig::Resolve("set-max-intset-entries");
  return r;
}

}  // namespace

void NoteHashWrite(CommandContext& ctx, Collection* h, std::string_view field,
                   std::string_view value) {
  if (h->meta().big) return;
  const uint64_t max_value = Live(ctx, HashValue());
  if (field.size() > max_value || value.size() > max_value ||
      h->count() > Live(ctx, HashEntries())) {
    h->MarkBig();
  }
}

void NoteSetAdd(CommandContext& ctx, Collection* s, std::string_view member) {
  if (s->meta().big) return;
  int64_t n;
  if (!ParseInt64(member, &n) || s->count() > Live(ctx, IntsetEntries())) {
    s->MarkBig();
  }
}

static const LiveConfig::Ref& ZSetEntries() {
  static const LiveConfig::Ref r =
      LiveConfig::Resolve("zset-max-listpack-entries");
  return r;
}

const char* CollectionEncoding(const ValueMeta& meta) {
  if (meta.type == KeyType::kZSet) return meta.big ? "skiplist" : "listpack";
  if (meta.big) return "hashtable";
  return meta.type == KeyType::kSet ? "intset" : "listpack";
}

bool ScansWhole(CommandContext& ctx, const ValueMeta& meta) {
  if (meta.big) return false;
  const uint64_t limit =
      Live(ctx, meta.type == KeyType::kSet    ? IntsetEntries()
                : meta.type == KeyType::kZSet ? ZSetEntries()
                                              : HashEntries());
  return meta.count <= limit;
}

}  // namespace shale::server
