#include "server/keyspace/keyspace.h"

#include <algorithm>
#include <chrono>
#include <functional>

namespace shale::server {

Keyspace::Keyspace(DB* db, FsyncPolicy fsync) : db_(db), fsync_(fsync) {
  cas_.store(NowMs() * 1000 + 1);
}

uint64_t Keyspace::NowMs() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count());
}

std::string& Keyspace::EncodeScratch() {
  // Per thread, so that encoding a value allocates nothing once it has grown
  // (Put and AddPut copy it into the engine's batch before returning).
  thread_local std::string scratch;
  if (scratch.capacity() > (1u << 20)) std::string().swap(scratch);
  scratch.clear();
  return scratch;
}

size_t Keyspace::StripeOf(std::string_view key) {
  return std::hash<std::string_view>()(key) % kLockStripes;
}

Keyspace::KeyLock::KeyLock(Keyspace* ks, std::string_view key) : ks_(ks) {
  stripes_.push_back(static_cast<uint16_t>(StripeOf(key)));
  ks_->stripes_[stripes_[0]].lock();
}

Keyspace::KeyLock::KeyLock(Keyspace* ks,
                           const std::vector<std::string_view>& keys)
    : ks_(ks) {
  for (std::string_view k : keys) {
    stripes_.push_back(static_cast<uint16_t>(StripeOf(k)));
  }
  std::sort(stripes_.begin(), stripes_.end());
  stripes_.erase(std::unique(stripes_.begin(), stripes_.end()), stripes_.end());
  for (uint16_t s : stripes_) ks_->stripes_[s].lock();
}

Keyspace::KeyLock::KeyLock(Keyspace* ks, All) : ks_(ks) {
  for (size_t s = 0; s < kLockStripes; s++) {
    stripes_.push_back(static_cast<uint16_t>(s));
    ks_->stripes_[s].lock();
  }
}

Keyspace::KeyLock::~KeyLock() {
  for (auto it = stripes_.rbegin(); it != stripes_.rend(); ++it) {
    ks_->stripes_[*it].unlock();
  }
}

WriteOptions Keyspace::write_options() const {
  WriteOptions wo;
  wo.sync = fsync_ == FsyncPolicy::kAlways;
  return wo;
}

Status Keyspace::Get(std::string_view key, Entry* entry) {
  return FinishRead(db_->Get(ReadOptions(), key, &entry->stored_), entry);
}

void Keyspace::MultiGet(std::span<const std::string_view> keys,
                        std::span<Entry> entries, std::span<Status> statuses) {
  // The engine reads into strings side by side: lend it the entries'
  // buffers, so that a batch allocates nothing once they have grown.
  thread_local std::vector<std::string> values;
  values.resize(keys.size());
  for (size_t i = 0; i < keys.size(); i++) values[i].swap(entries[i].stored_);
  db_->MultiGet(ReadOptions(), keys, std::span(values).first(keys.size()),
                statuses);
  for (size_t i = 0; i < keys.size(); i++) {
    values[i].swap(entries[i].stored_);
    statuses[i] = FinishRead(statuses[i], &entries[i]);
  }
}

Status Keyspace::FinishRead(Status s, Entry* entry) {
  if (!s.ok()) {
    if (s.IsNotFound()) misses.fetch_add(1, std::memory_order_relaxed);
    return s;
  }
  std::string_view payload;
  DecodeValue(entry->stored_, &entry->meta_, &payload);
  entry->offset_ = entry->stored_.size() - payload.size();
  // The engine hides expired entries itself; this covers the millisecond in
  // which its clock and ours may disagree.
  if (entry->meta_.expire_at_ms != 0 && entry->meta_.expire_at_ms <= NowMs()) {
    misses.fetch_add(1, std::memory_order_relaxed);
    return Status::NotFound("expired");
  }
  hits.fetch_add(1, std::memory_order_relaxed);
  return s;
}

bool Keyspace::Exists(std::string_view key) {
  Entry e;
  return Get(key, &e).ok();
}

Status Keyspace::Put(std::string_view key, std::string_view payload,
                     uint32_t flags, uint64_t expire_at_ms, uint64_t* cas) {
  if (expire_at_ms != 0 && expire_at_ms <= NowMs()) return Delete(key);
  ValueMeta meta;
  meta.cas = NextCas();
  meta.flags = flags;
  meta.expire_at_ms = expire_at_ms;
  std::string& stored = EncodeScratch();
  EncodeValue(meta, payload, &stored);
  WriteOptions wo = write_options();
  wo.expire_at_ms = expire_at_ms;
  writes.fetch_add(1, std::memory_order_relaxed);
  Status s = db_->Put(wo, key, stored);
  if (s.ok() && cas != nullptr) *cas = meta.cas;
  return s;
}

Status Keyspace::Delete(std::string_view key) {
  writes.fetch_add(1, std::memory_order_relaxed);
  return db_->Delete(write_options(), key);
}

void Keyspace::AddPut(WriteBatch* batch, std::string_view key,
                      std::string_view payload, uint32_t flags,
                      uint64_t expire_at_ms, uint64_t* cas) {
  if (expire_at_ms != 0 && expire_at_ms <= NowMs()) {
    batch->Delete(key);
    return;
  }
  ValueMeta meta;
  meta.cas = NextCas();
  meta.flags = flags;
  meta.expire_at_ms = expire_at_ms;
  std::string& stored = EncodeScratch();
  EncodeValue(meta, payload, &stored);
  batch->Put(key, stored, expire_at_ms);
  if (cas != nullptr) *cas = meta.cas;
}

Status Keyspace::Write(WriteBatch* batch) {
  writes.fetch_add(batch->Count(), std::memory_order_relaxed);
  return db_->Write(write_options(), batch);
}

std::unique_ptr<Iterator> Keyspace::NewIterator(
    const std::string_view* upper_bound) {
  ReadOptions ro;
  ro.iterate_upper_bound = upper_bound;
  ro.fill_cache = false;
  return db_->NewIterator(ro);
}

Status Keyspace::DeleteAll() {
  KeyLock lock(this, KeyLock::All());
  auto it = NewIterator();
  WriteBatch batch;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    batch.Delete(it->key());
    if (batch.Count() >= 1000) {
      Status s = Write(&batch);
      if (!s.ok()) return s;
      batch.Clear();
    }
  }
  if (!it->status().ok()) return it->status();
  if (batch.Count() > 0) return Write(&batch);
  return Status::OK();
}

Status Keyspace::CountKeys(uint64_t* keys, uint64_t* expires) {
  auto it = NewIterator();
  uint64_t n = 0, e = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    n++;
    if (expires != nullptr) {
      ValueMeta meta;
      std::string_view payload;
      DecodeValue(it->value(), &meta, &payload);
      if (meta.expire_at_ms != 0) e++;
    }
  }
  *keys = n;
  if (expires != nullptr) *expires = e;
  return it->status();
}

}  // namespace shale::server
