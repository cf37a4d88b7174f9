#include "server/keyspace/keyspace.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <span>

#include "server/keyspace/key_codec.h"

namespace shale::server {
namespace {

// Per-thread buffers, so that the hot paths allocate nothing once they have
// grown (the engine copies keys and values before the calls return).
std::string& Scratch(int which) {
  thread_local std::string scratch[2];
  std::string& s = scratch[which];
  if (s.capacity() > (1u << 20)) std::string().swap(s);
  s.clear();
  return s;
}
std::string& KeyScratch() { return Scratch(0); }
std::string& ValueScratch() { return Scratch(1); }

}  // namespace

Keyspace::Keyspace(DB* db, FsyncPolicy fsync) : db_(db), fsync_(fsync) {
  cas_.store(NowMs() * 1000 + 1);
}

Status Keyspace::Open(DB* db, FsyncPolicy fsync, int databases,
                      std::unique_ptr<Keyspace>* ks) {
  std::unique_ptr<Keyspace> k(new Keyspace(db, fsync));
  Status s = k->table_.Load(db, databases, k->write_options());
  if (s.ok()) *ks = std::move(k);
  return s;
}

namespace {
// The frozen time of this thread's FrozenClock; 0: none.
thread_local uint64_t t_frozen_ms = 0;
}  // namespace

uint64_t Keyspace::NowMs() {
  return t_frozen_ms != 0 ? t_frozen_ms : WallNowMs();
}

uint64_t Keyspace::WallNowMs() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count());
}

Keyspace::FrozenClock::FrozenClock() : outer_(t_frozen_ms == 0) {
  if (outer_) t_frozen_ms = WallNowMs();
}

Keyspace::FrozenClock::~FrozenClock() {
  if (outer_) t_frozen_ms = 0;
}

size_t Keyspace::StripeOf(int db, std::string_view key) {
  size_t h = std::hash<std::string_view>()(key);
  return (h ^ (static_cast<size_t>(db) * 0x9E3779B97F4A7C15ull)) % kLockStripes;
}

void Keyspace::KeyLock::Add(size_t stripe) {
  if (n_ == kInline) big_.assign(small_, small_ + kInline);
  if (n_ >= kInline) {
    big_.push_back(static_cast<uint16_t>(stripe));
  } else {
    small_[n_] = static_cast<uint16_t>(stripe);
  }
  n_++;
}

void Keyspace::KeyLock::Acquire() {
  uint16_t* d = data();
  std::sort(d, d + n_);
  n_ = static_cast<size_t>(std::unique(d, d + n_) - d);
  if (n_ <= kInline && !big_.empty()) {
    std::copy(d, d + n_, small_);
    big_.clear();
  }
  d = data();
  for (size_t i = 0; i < n_; i++) ks_->stripes_[d[i]].lock();
}

Keyspace::KeyLock::KeyLock(Keyspace* ks, int db, std::string_view key)
    : ks_(ks) {
  Add(StripeOf(db, key));
  Acquire();
}

Keyspace::KeyLock::KeyLock(Keyspace* ks, int db,
                           std::span<const std::string_view> keys)
    : ks_(ks) {
  for (std::string_view k : keys) Add(StripeOf(db, k));
  Acquire();
}

Keyspace::KeyLock::KeyLock(Keyspace* ks, std::span<const DbKey> keys)
    : ks_(ks) {
  for (const DbKey& k : keys) Add(StripeOf(k.db, k.key));
  Acquire();
}

Keyspace::KeyLock::KeyLock(KeyspaceDb* db, std::string_view key)
    : KeyLock(db->keyspace(), db->index(), key) {}

Keyspace::KeyLock::KeyLock(KeyspaceDb* db,
                           std::span<const std::string_view> keys)
    : KeyLock(db->keyspace(), db->index(), keys) {}

Keyspace::KeyLock::KeyLock(Keyspace* ks, All) : ks_(ks) {
  big_.reserve(kLockStripes);
  for (size_t s = 0; s < kLockStripes; s++) Add(s);
  Acquire();
}

bool Keyspace::KeyLock::Holds(int db, std::string_view key) const {
  const uint16_t* d = data();
  return std::binary_search(d, d + n_,
                            static_cast<uint16_t>(StripeOf(db, key)));
}

Keyspace::KeyLock::~KeyLock() {
  uint16_t* d = data();
  for (size_t i = n_; i-- > 0;) ks_->stripes_[d[i]].unlock();
}

WriteOptions Keyspace::write_options() const {
  WriteOptions wo;
  wo.sync = fsync() == FsyncPolicy::kAlways;
  return wo;
}

Status Keyspace::Get(int db, std::string_view key, Entry* entry,
                     const Snapshot* snap) {
  std::string& ekey = KeyScratch();
  AppendMetaKey(&ekey, table_.Ns(db), key);
  ReadOptions ro;
  ro.snapshot = snap;
  return FinishRead(db_->Get(ro, ekey, &entry->stored_), entry);
}

void Keyspace::MultiGet(int db, std::span<const std::string_view> keys,
                        std::span<Entry> entries, std::span<Status> statuses) {
  // The engine reads into strings side by side: lend it the entries'
  // buffers, so that a batch allocates nothing once they have grown.
  thread_local std::vector<std::string> values;
  thread_local std::vector<std::string_view> ekeys;
  thread_local std::vector<size_t> ends;
  std::string& buf = KeyScratch();
  const uint32_t ns = table_.Ns(db);
  ends.clear();
  for (std::string_view k : keys) {
    AppendMetaKey(&buf, ns, k);
    ends.push_back(buf.size());
  }
  ekeys.clear();
  size_t begin = 0;
  for (size_t end : ends) {
    ekeys.push_back(std::string_view(buf).substr(begin, end - begin));
    begin = end;
  }
  values.resize(keys.size());
  for (size_t i = 0; i < keys.size(); i++) values[i].swap(entries[i].stored_);
  db_->MultiGet(ReadOptions(), ekeys, std::span(values).first(keys.size()),
                statuses);
  for (size_t i = 0; i < keys.size(); i++) {
    values[i].swap(entries[i].stored_);
    statuses[i] = FinishRead(statuses[i], &entries[i]);
  }
}

Status Keyspace::FinishRead(Status s, Entry* entry) {
  entry->expired_ = false;
  if (!s.ok()) {
    if (s.IsNotFound()) misses.fetch_add(1, std::memory_order_relaxed);
    entry->Clear();
    return s;
  }
  std::string_view payload;
  if (!DecodeMeta(entry->stored_, &entry->meta_, &payload)) {
    return Status::Corruption("malformed key metadata");
  }
  entry->offset_ = entry->stored_.size() - payload.size();
  if (entry->meta_.expire_at_ms != 0 && entry->meta_.expire_at_ms <= NowMs()) {
    misses.fetch_add(1, std::memory_order_relaxed);
    entry->expired_ = true;
    entry->ClearPayload();
    return Status::NotFound("expired");
  }
  hits.fetch_add(1, std::memory_order_relaxed);
  return s;
}

bool Keyspace::Exists(int db, std::string_view key) {
  thread_local Entry e;
  bool found = Get(db, key, &e).ok();
  e.Trim();
  return found;
}

Status Keyspace::Put(int db, std::string_view key, std::string_view payload,
                     uint32_t flags, uint64_t expire_at_ms, uint64_t* cas,
                     std::span<const KeyEvent> events) {
  if (expire_at_ms != 0 && expire_at_ms <= NowMs()) {
    return Delete(db, key, events);
  }
  if (expire_at_ms != 0) {
    // Two entries (the metadata and its expiry index entry): one batch.
    thread_local WriteBatch batch;
    batch.Clear();
    AddPut(&batch, db, key, payload, flags, expire_at_ms, cas);
    const TouchedKey touched{db, key};
    Status s = Write(&batch, std::span(&touched, 1), events);
    if (batch.ApproximateSize() > (1u << 20)) batch = WriteBatch();
    return s;
  }
  ValueMeta meta;
  meta.cas = NextCas();
  meta.flags = flags;
  std::string& ekey = KeyScratch();
  AppendMetaKey(&ekey, table_.Ns(db), key);
  std::string& stored = ValueScratch();
  EncodeStringMeta(meta, payload, &stored);
  writes.fetch_add(1, std::memory_order_relaxed);
  Status s = db_->Put(write_options(), ekey, stored);
  if (s.ok()) {
    if (cas != nullptr) *cas = meta.cas;
    const TouchedKey touched{db, key};
    RunHooks(std::span(&touched, 1), events);
  }
  return s;
}

Status Keyspace::Delete(int db, std::string_view key,
                        std::span<const KeyEvent> events) {
  std::string& ekey = KeyScratch();
  AppendMetaKey(&ekey, table_.Ns(db), key);
  writes.fetch_add(1, std::memory_order_relaxed);
  Status s = db_->Delete(write_options(), ekey);
  if (s.ok()) {
    const TouchedKey touched{db, key};
    RunHooks(std::span(&touched, 1), events);
  }
  return s;
}

void Keyspace::AddPut(WriteBatch* batch, int db, std::string_view key,
                      std::string_view payload, uint32_t flags,
                      uint64_t expire_at_ms, uint64_t* cas) {
  if (expire_at_ms != 0 && expire_at_ms <= NowMs()) {
    AddDelete(batch, db, key);
    return;
  }
  const uint32_t ns = table_.Ns(db);
  ValueMeta meta;
  meta.cas = NextCas();
  meta.flags = flags;
  meta.expire_at_ms = expire_at_ms;
  std::string& ekey = KeyScratch();
  AppendMetaKey(&ekey, ns, key);
  std::string& stored = ValueScratch();
  EncodeStringMeta(meta, payload, &stored);
  batch->Put(ekey, stored, EngineExpiry(expire_at_ms));
  if (expire_at_ms != 0) {
    ekey.clear();
    AppendExpiryKey(&ekey, expire_at_ms, ns, key);
    batch->Put(ekey, {});
  }
  if (cas != nullptr) *cas = meta.cas;
}

void Keyspace::AddDelete(WriteBatch* batch, int db, std::string_view key) {
  std::string& ekey = KeyScratch();
  AppendMetaKey(&ekey, table_.Ns(db), key);
  batch->Delete(ekey);
}

Status Keyspace::Write(WriteBatch* batch, std::span<const TouchedKey> touched,
                       std::span<const KeyEvent> events) {
  writes.fetch_add(batch->Count(), std::memory_order_relaxed);
  Status s = db_->Write(write_options(), batch);
  if (s.ok()) RunHooks(touched, events);
  return s;
}

void Keyspace::RunHooks(std::span<const TouchedKey> touched,
                        std::span<const KeyEvent> events) {
  for (CommitHook* h : hooks_) h->OnKeysWritten(touched);
  if (events.empty()) return;
  for (CommitHook* h : hooks_) h->OnEvents(events);
}

std::unique_ptr<KeyIterator> Keyspace::NewIterator(
    int db, const std::string_view* upper_bound) {
  const uint32_t ns = table_.Ns(db);
  std::string upper;
  if (upper_bound != nullptr) {
    AppendMetaKey(&upper, ns, *upper_bound);
  } else {
    upper = MetaUpperBound(ns);
  }
  return std::make_unique<KeyIterator>(db_, ns, std::move(upper));
}

Status Keyspace::CountKeys(int db, uint64_t* keys, uint64_t* expires,
                           uint64_t* ttl_sum_ms) {
  auto it = NewIterator(db);
  uint64_t n = 0, e = 0, ttl = 0;
  const uint64_t now = NowMs();
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    n++;
    uint64_t at = it->meta().expire_at_ms;
    if (at != 0) {
      e++;
      ttl += at > now ? at - now : 0;
    }
  }
  *keys = n;
  if (expires != nullptr) *expires = e;
  if (ttl_sum_ms != nullptr) *ttl_sum_ms = ttl;
  return it->status();
}

Status Keyspace::FlushDbs(std::span<const int> dbs) {
  writes.fetch_add(1, std::memory_order_relaxed);
  Status s = table_.Renew(dbs);
  if (s.ok()) {
    for (CommitHook* h : hooks_) h->OnDatabasesReplaced(dbs);
  }
  return s;
}

Status Keyspace::SwapDb(int a, int b) {
  writes.fetch_add(1, std::memory_order_relaxed);
  // Nothing changes: no table write, and no hook (WATCH stays intact), as
  // Redis's dbSwapDatabases returns at once.
  if (a == b) return Status::OK();
  Status s = table_.Swap(a, b);
  if (s.ok()) {
    const int dbs[] = {a, b};
    for (CommitHook* h : hooks_) h->OnDatabasesReplaced(dbs);
  }
  return s;
}

}  // namespace shale::server

namespace shale::server {

KeyIterator::KeyIterator(DB* db, uint32_t ns, std::string upper_bound)
    : upper_(std::move(upper_bound)), upper_view_(upper_), ns_(ns) {
  ReadOptions ro;
  ro.fill_cache = false;
  ro.iterate_upper_bound = &upper_view_;
  it_ = db->NewIterator(ro);
}

void KeyIterator::SeekToFirst() { Seek({}); }

void KeyIterator::Seek(std::string_view key) {
  seek_.clear();
  AppendMetaKey(&seek_, ns_, key);
  it_->Seek(seek_);
  ov_ = std::lower_bound(
            overlay_.begin(), overlay_.end(), key,
            [](const Overlay& o, std::string_view k) { return o.key < k; }) -
        overlay_.begin();
  Settle();
}

void KeyIterator::Next() {
  // Step past the current key in both sources (an overlay entry replaces
  // the engine's entry of the same key).
  std::string current(key_);
  if (from_overlay_) {
    ov_++;
  }
  if (it_->Valid()) {
    uint32_t ns;
    std::string_view k;
    if (ParseMetaKey(it_->key(), &ns, &k) && ns == ns_ && k == current) {
      it_->Next();
    }
  }
  Settle();
}

bool KeyIterator::EngineLive() {
  const uint64_t now = Keyspace::NowMs();
  for (; it_->Valid(); it_->Next()) {
    uint32_t ns;
    if (!ParseMetaKey(it_->key(), &ns, &key_) || ns != ns_) return false;
    if (!DecodeMeta(it_->value(), &meta_, &payload_)) {
      status_ = Status::Corruption("malformed key metadata");
      return false;
    }
    if (meta_.expire_at_ms == 0 || meta_.expire_at_ms > now) return true;
  }
  return false;
}

void KeyIterator::Settle() {
  valid_ = false;
  from_overlay_ = false;
  const uint64_t now = Keyspace::NowMs();
  while (true) {
    bool engine = EngineLive();
    if (!status_.ok()) return;
    if (ov_ >= overlay_.size()) {
      valid_ = engine;
      return;
    }
    const Overlay& o = overlay_[ov_];
    if (engine && key_ < o.key) {
      valid_ = true;
      return;
    }
    if (engine && key_ == o.key) it_->Next();  // the overlay replaces it
    if (!o.deleted && DecodeMeta(o.stored, &meta_, &payload_) &&
        (meta_.expire_at_ms == 0 || meta_.expire_at_ms > now)) {
      key_ = o.key;
      valid_ = true;
      from_overlay_ = true;
      return;
    }
    ov_++;
  }
}

Status KeyIterator::status() const {
  if (!status_.ok()) return status_;
  return it_->status();
}

}  // namespace shale::server
