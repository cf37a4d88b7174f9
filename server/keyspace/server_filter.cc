#include "server/keyspace/server_filter.h"

#include "server/keyspace/key_codec.h"
#include "server/keyspace/keyspace.h"
#include "server/keyspace/meta_codec.h"
#include "server/keyspace/stream.h"

namespace shale::server {
namespace {

// Unique across filters: a thread's cache names the binding it came from.
std::atomic<uint64_t> next_binding{1};

// The last collection incarnation a thread judged. Its entries are adjacent
// in key order (kind ns keylen key version ...), so one metadata read serves
// all of them. "Gone" is final (above) and holds for any later job; "live"
// holds only for the job that read it: the collection may be deleted before
// the thread's next job, while keeping its entries to the end of this one
// is what a read a moment earlier would have decided.
struct LastJudged {
  uint64_t binding = 0;
  uint64_t job_id = 0;
  ServerCompactionFilter::Judgement judged;
  std::string prefix;  // ns keylen key version (the kind byte excluded)
};
thread_local LastJudged last_judged;

}  // namespace

ServerCompactionFilter::ServerCompactionFilter(std::function<uint64_t()> now_ms)
    : now_ms_(now_ms ? std::move(now_ms) : Keyspace::NowMs) {}

void ServerCompactionFilter::Bind(DB* db, const DbTable* table) {
  WriterMutexLock l(&bind_mu_);
  db_ = db;
  table_ = table;
  binding_ = next_binding.fetch_add(1, std::memory_order_relaxed);
}

void ServerCompactionFilter::Unbind() {
  WriterMutexLock l(&bind_mu_);
  db_ = nullptr;
  table_ = nullptr;
  binding_ = 0;
}

CompactionFilter::KeyDecision ServerCompactionFilter::FilterKey(
    const Context& ctx, std::string_view ekey) {
  ReaderMutexLock l(&bind_mu_);
  if (db_ == nullptr) return KeyDecision::kKeep;
  const uint8_t kind = KindOf(ekey);
  uint32_t ns;
  std::string_view key;
  if (kind == static_cast<uint8_t>(KeyKind::kMeta)) {
    if (!ParseMetaKey(ekey, &ns, &key)) return KeyDecision::kKeep;
  } else if (kind == static_cast<uint8_t>(KeyKind::kExpiry)) {
    uint64_t when;
    if (!ParseExpiryKey(ekey, &when, &ns, &key)) return KeyDecision::kKeep;
  } else if (IsCollectionKind(kind)) {
    CollectionKey ck;
    if (!ParseCollectionKey(ekey, &ck)) return KeyDecision::kKeep;
    if (!table_->MayBeLive(ck.ns)) {
      removed_dead_ns.fetch_add(1, std::memory_order_relaxed);
      return KeyDecision::kRemove;
    }
    // ns keylen key version: everything between the kind and the sub.
    const std::string_view prefix =
        ekey.substr(1, ekey.size() - 1 - ck.sub.size());
    LastJudged& last = last_judged;
    if (last.binding != binding_ || last.prefix != prefix ||
        (!last.judged.gone && (ctx.job_id == 0 || last.job_id != ctx.job_id))) {
      last.binding = binding_;
      last.job_id = ctx.job_id;
      last.judged = Judge(db_, ck.ns, ck.key, ck.version);
      last.prefix.assign(prefix);
    }
    const Judgement& j = last.judged;
    if (j.gone) {
      removed_orphans.fetch_add(1, std::memory_order_relaxed);
      return KeyDecision::kRemove;
    }
    StreamId id;
    if (j.stream && ck.kind == KeyKind::kElement && ParseIdSub(ck.sub, &id) &&
        (j.count == 0 || id < j.first)) {
      removed_trimmed.fetch_add(1, std::memory_order_relaxed);
      return KeyDecision::kRemove;
    }
    return KeyDecision::kKeep;
  } else {
    return KeyDecision::kKeep;  // server metadata, or not ours to judge
  }
  if (table_->MayBeLive(ns)) return KeyDecision::kKeep;
  removed_dead_ns.fetch_add(1, std::memory_order_relaxed);
  return KeyDecision::kRemove;
}

ServerCompactionFilter::Judgement ServerCompactionFilter::Judge(
    DB* db, uint32_t ns, std::string_view key, uint64_t version) {
  Judgement j;
  std::string mkey;
  AppendMetaKey(&mkey, ns, key);
  std::string stored;
  Status s = db->Get(ReadOptions(), mkey, &stored);
  if (s.IsNotFound()) {
    j.gone = true;
    return j;
  }
  if (!s.ok()) return j;  // an I/O error proves nothing
  ValueMeta meta;
  std::string_view payload;
  if (!DecodeMeta(stored, &meta, &payload)) return j;  // corrupt: keep
  j.gone = meta.type == KeyType::kString || meta.version != version ||
           (meta.expire_at_ms != 0 && meta.expire_at_ms <= now_ms_());
  if (!j.gone && meta.type == KeyType::kStream) {
    j.stream = true;
    j.count = meta.count;
    j.first = meta.stream.first;
  }
  return j;
}

CompactionFilter::Decision ServerCompactionFilter::Filter(
    const Context& ctx, std::string_view user_key, std::string_view value,
    std::string* new_value) {
  (void)ctx;
  (void)user_key;
  (void)value;
  (void)new_value;
  return Decision::kKeep;
}

}  // namespace shale::server
