#include "server/keyspace/tx.h"

#include <algorithm>

#include "server/keyspace/key_codec.h"

namespace shale::server {
namespace {

// Past this many pending writes, Find uses a hash index instead of a scan.
constexpr size_t kIndexFrom = 32;

}  // namespace

void Tx::Begin(int db) {
  db_ = db;
  n_pending_ = 0;
  elems_.Clear();
  ReleaseSnapshot();
  index_.clear();
  touched_.clear();
  ready_.clear();
  events_.clear();
  if (event_keys_.capacity() > (1u << 20)) std::string().swap(event_keys_);
  event_keys_.clear();
  if (batch_.ApproximateSize() > (4u << 20)) {
    batch_ = WriteBatch();
  } else {
    batch_.Clear();
  }
  if (pending_.size() > 4096) pending_.resize(4096);
}

void Tx::LockKeys(std::span<const DbKey> keys) { lock_.emplace(ks_, keys); }

void Tx::LockAll() { lock_.emplace(ks_, Keyspace::KeyLock::All()); }

bool Tx::Holds(int db, std::string_view key) const {
  if (!lock_.has_value()) return false;
  if (lock_->Holds(db, key)) return true;
  const auto stripe = static_cast<uint16_t>(Keyspace::StripeOf(db, key));
  return std::find(extra_stripes_.begin(), extra_stripes_.end(), stripe) !=
         extra_stripes_.end();
}

bool Tx::TryLockMore(int db, std::string_view key) {
  if (Holds(db, key)) return true;
  const auto stripe = static_cast<uint16_t>(Keyspace::StripeOf(db, key));
  if (!ks_->stripes_[stripe].try_lock()) return false;
  extra_stripes_.push_back(stripe);
  return true;
}

void Tx::WrittenKeys(std::vector<std::pair<int, std::string>>* out) const {
  for (size_t i = 0; i < n_pending_; i++) {
    const Pending& p = pending_[i];
    out->emplace_back(p.db, std::string_view(p.ekey).substr(p.key_offset));
  }
  out->insert(out->end(), ready_.begin(), ready_.end());
}

const Tx::Pending* Tx::Find(std::string_view ekey) {
  if (n_pending_ == 0) return nullptr;
  if (n_pending_ > kIndexFrom) {
    auto it = index_.find(std::string(ekey));
    return it == index_.end() ? nullptr : &pending_[it->second];
  }
  for (size_t i = n_pending_; i-- > 0;) {
    if (pending_[i].ekey == ekey) return &pending_[i];
  }
  return nullptr;
}

Tx::Pending& Tx::Add(std::string_view key, bool deleted) {
  if (n_pending_ == pending_.size()) pending_.emplace_back();
  Pending& p = pending_[n_pending_++];
  p.ekey.clear();
  AppendMetaKey(&p.ekey, ks_->table().Ns(db_), key);
  p.key_offset = p.ekey.size() - key.size();
  p.stored.clear();
  p.deleted = deleted;
  p.db = db_;
  if (n_pending_ > kIndexFrom) {
    if (index_.empty()) {
      for (size_t i = 0; i < n_pending_; i++) {
        index_[pending_[i].ekey] = i;
      }
    } else {
      index_[p.ekey] = n_pending_ - 1;
    }
  }
  return p;
}

Status Tx::ReadPending(const Pending& p, Entry* entry) {
  if (p.deleted) {
    entry->Clear();
    return Status::NotFound("deleted");
  }
  entry->stored_.assign(p.stored);
  return ks_->FinishRead(Status::OK(), entry);
}

Status Tx::Get(std::string_view key, Entry* entry, const Snapshot* snap) {
  if (n_pending_ > 0) {
    scratch_.clear();
    AppendMetaKey(&scratch_, ks_->table().Ns(db_), key);
    if (const Pending* p = Find(scratch_)) return ReadPending(*p, entry);
  }
  Status s = ks_->Get(db_, key, entry, snap);
  if (entry->expired()) {
    LazyExpire(key, *entry);
    // The handler sees a missing key: no expired expiry or flags may be
    // carried into what it writes next (INCRBY after expiry kept the old,
    // past expiry, and the new key vanished at once).
    entry->Clear();
  }
  return s;
}

void Tx::LazyExpire(std::string_view key, const Entry& entry) {
  if (!Holds(db_, key)) return;
  const uint64_t when = entry.meta().expire_at_ms;
  Pending& p = Add(key, true);
  batch_.Delete(p.ekey);
  scratch_.clear();
  AppendExpiryKey(&scratch_, when, ks_->table().Ns(db_), key);
  batch_.Delete(scratch_);
  ks_->expired_keys.fetch_add(1, std::memory_order_relaxed);
  Notify(kNotifyExpired, "expired", key);
}

void Tx::BuildEventViews() {
  event_views_.clear();
  for (const EventRec& e : events_) {
    event_views_.push_back({e.db, e.cls, e.event,
                            std::string_view(event_keys_)
                                .substr(e.key_begin, e.key_end - e.key_begin)});
  }
}

void Tx::Record(int db, uint32_t cls, std::string_view event,
                std::string_view key) {
  const size_t begin = event_keys_.size();
  event_keys_.append(key);
  events_.push_back({db, cls, event, begin, event_keys_.size()});
}

bool Tx::Exists(std::string_view key) {
  thread_local Entry e;
  bool found = Get(key, &e).ok();
  e.Trim();
  return found;
}

void Tx::MultiGet(std::span<const std::string_view> keys,
                  std::span<Entry> entries, std::span<Status> statuses) {
  ks_->MultiGet(db_, keys, entries, statuses);
  if (n_pending_ == 0) return;
  for (size_t i = 0; i < keys.size(); i++) {
    scratch_.clear();
    AppendMetaKey(&scratch_, ks_->table().Ns(db_), keys[i]);
    if (const Pending* p = Find(scratch_)) {
      statuses[i] = ReadPending(*p, &entries[i]);
    }
  }
}

std::unique_ptr<KeyIterator> Tx::NewIterator(
    const std::string_view* upper_bound) {
  auto it = ks_->NewIterator(db_, upper_bound);
  if (n_pending_ == 0) return it;
  // The newest pending write of each key of this database, in key order.
  const uint32_t ns = ks_->table().Ns(db_);
  std::vector<KeyIterator::Overlay> overlay;
  for (size_t i = n_pending_; i-- > 0;) {
    const Pending& p = pending_[i];
    uint32_t p_ns;
    std::string_view key;
    if (!ParseMetaKey(p.ekey, &p_ns, &key) || p_ns != ns) continue;
    if (upper_bound != nullptr && key >= *upper_bound) continue;
    overlay.push_back({std::string(key), p.stored, p.deleted});
  }
  // Stable: of equal keys the first (the newest, by the loop above) stays.
  std::stable_sort(overlay.begin(), overlay.end(),
                   [](const auto& a, const auto& b) { return a.key < b.key; });
  overlay.erase(
      std::unique(overlay.begin(), overlay.end(),
                  [](const auto& a, const auto& b) { return a.key == b.key; }),
      overlay.end());
  it->SetOverlay(std::move(overlay));
  return it;
}

Status Tx::Put(std::string_view key, std::string_view payload, uint32_t flags,
               uint64_t expire_at_ms, uint64_t* cas) {
  if (ks_->Wants(kNotifyNew | kNotifyExpired)) {
    // Redis announces a key's creation ("new"), and the expiry of the key
    // a write replaces ("expired", by the read's lazy expiry): read first.
    thread_local Entry old;
    const bool existed = Get(key, &old).ok();
    old.Trim();
    if (!existed) Notify(kNotifyNew, "new", key);
  }
  if (expire_at_ms != 0 && expire_at_ms <= Keyspace::NowMs()) {
    return Delete(key);
  }
  Pending& p = Add(key, false);
  ValueMeta meta;
  meta.cas = ks_->NextCas();
  meta.flags = flags;
  meta.expire_at_ms = expire_at_ms;
  EncodeStringMeta(meta, payload, &p.stored);
  batch_.Put(p.ekey, p.stored, EngineExpiry(expire_at_ms));
  if (expire_at_ms != 0) {
    scratch_.clear();
    AppendExpiryKey(&scratch_, expire_at_ms, ks_->table().Ns(db_), key);
    batch_.Put(scratch_, {});
  }
  if (cas != nullptr) *cas = meta.cas;
  return Status::OK();
}

Status Tx::Delete(std::string_view key) {
  Pending& p = Add(key, true);
  batch_.Delete(p.ekey);
  return Status::OK();
}

Status Tx::SetExpiry(std::string_view key, const Entry& e,
                     uint64_t expire_at_ms) {
  if (e.meta().type == KeyType::kString) {
    return Put(key, e.payload(), e.meta().flags, expire_at_ms);
  }
  if (expire_at_ms != 0 && expire_at_ms <= Keyspace::NowMs()) {
    return Delete(key);
  }
  ValueMeta meta = e.meta();
  meta.expire_at_ms = expire_at_ms;
  PutCollectionMeta(key, meta);
  return Status::OK();
}

const Snapshot* Tx::ReadSnapshot(std::string_view key) {
  if (Holds(db_, key)) return nullptr;
  if (snap_ == nullptr) snap_ = ks_->db()->GetSnapshot();
  return snap_;
}

void Tx::ReleaseSnapshot() {
  if (snap_ != nullptr) ks_->db()->ReleaseSnapshot(snap_);
  snap_ = nullptr;
}

void Tx::PutCollectionMeta(std::string_view key, const ValueMeta& meta) {
  Pending& p = Add(key, false);
  EncodeCollectionMeta(meta, &p.stored);
  batch_.Put(p.ekey, p.stored, EngineExpiry(meta.expire_at_ms));
  if (meta.expire_at_ms != 0) {
    scratch_.clear();
    AppendExpiryKey(&scratch_, meta.expire_at_ms, ks_->table().Ns(db_), key);
    batch_.Put(scratch_, {});
  }
}

Status Tx::GetElement(std::string_view ekey, const Snapshot* snap,
                      std::string* value) {
  if (const ElementWrites::Write* w = elems_.Find(ekey)) {
    if (w->deleted) return Status::NotFound("deleted");
    value->assign(w->value);
    return Status::OK();
  }
  ReadOptions ro;
  ro.snapshot = snap;
  return ks_->db()->Get(ro, ekey, value);
}

void Tx::PutElement(std::string_view ekey, std::string_view value) {
  elems_.Add(ekey, value, false);
  batch_.Put(ekey, value);
}

void Tx::DeleteElement(std::string_view ekey) {
  elems_.Add(ekey, {}, true);
  batch_.Delete(ekey);
}

std::unique_ptr<ElementIterator> Tx::NewElementIterator(std::string prefix,
                                                        const Snapshot* snap) {
  std::vector<ElementWrites::Write> overlay;
  if (!elems_.empty()) {
    elems_.Range(prefix, PrefixSuccessor(prefix), &range_);
    overlay.reserve(range_.size());
    for (const ElementWrites::Write* w : range_) overlay.push_back(*w);
  }
  return std::make_unique<ElementIterator>(ks_->db(), snap, std::move(prefix),
                                           std::move(overlay));
}

Status Tx::Commit(bool drop_replaced) {
  if (n_pending_ == 0 && elems_.empty()) {
    // Events without writes (keymiss): the hooks still hear them.
    if (!events_.empty()) {
      BuildEventViews();
      ks_->RunHooks({}, event_views_);
      events_.clear();
      event_keys_.clear();
    }
    return Status::OK();
  }
  touched_.clear();
  for (size_t i = 0; i < n_pending_; i++) {
    const Pending& p = pending_[i];
    touched_.push_back({p.db, std::string_view(p.ekey).substr(p.key_offset)});
  }
  BuildEventViews();
  // Only the last write of each key can be read: the rest are dropped
  // (batch_dedup.h).
  WriteBatch* batch =
      drop_replaced && dedup_.Compact(batch_, &deduped_) ? &deduped_ : &batch_;
  Status s = ks_->Write(batch, touched_, event_views_);
  n_pending_ = 0;
  elems_.Clear();
  index_.clear();
  batch_.Clear();
  events_.clear();
  event_keys_.clear();
  return s;
}

void Tx::Release() {
  n_pending_ = 0;
  elems_.Clear();
  ReleaseSnapshot();
  index_.clear();
  batch_.Clear();
  events_.clear();
  event_keys_.clear();
  ready_.clear();
  for (uint16_t stripe : extra_stripes_) ks_->stripes_[stripe].unlock();
  extra_stripes_.clear();
  lock_.reset();
}

}  // namespace shale::server
