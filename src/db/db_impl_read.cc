// The read path: take a sequence number and the read view under the mutex,
// then search memtables and tables without it.
#include <algorithm>
#include <cassert>
#include <numeric>
#include <optional>

#include "db/db_impl.h"
#include "db/db_iter.h"
#include "db/filename.h"
#include "db/stored_value.h"
#include "table/merging_iterator.h"

namespace shale {

void DBImpl::InstallReadView() {
  auto view = std::make_shared<ReadView>();
  view->mem = mem_;
  view->imm.assign(imm_.rbegin(), imm_.rend());
  view->version = versions_->current();
  read_view_ = std::move(view);
}

std::shared_ptr<const ReadView> DBImpl::GetReadView() {
  MutexLock l(&mu_);
  return read_view_;
}

SequenceNumber DBImpl::ReadSequence(const ReadOptions& options) const {
  if (options.snapshot != nullptr) {
    return static_cast<const SnapshotImpl*>(options.snapshot)->sequence();
  }
  return versions_->LastSequence();
}

namespace {

// Turns a found entry into Get's answer.
Status ResolveValue(ValueType type, std::string_view stored, uint64_t now_ms,
                    std::string* value) {
  switch (type) {
    case kTypeValue:
      value->assign(stored.data(), stored.size());
      return Status::OK();
    case kTypeValueWithExpiry: {
      StoredValue parsed;
      if (!parsed.Parse(type, stored)) {
        return Status::Corruption("expiring value too short");
      }
      if (parsed.Expired(now_ms)) return Status::NotFound("expired");
      value->assign(parsed.payload.data(), parsed.payload.size());
      return Status::OK();
    }
    case kTypeBlobIndex:
    case kTypeBlobIndexWithExpiry:
      return Status::Corruption("value pointer in a memtable");
    case kTypeDeletion:
      break;
  }
  return Status::NotFound("");
}

}  // namespace

Status DBImpl::ResolveTableValue(const VersionGetRequest& r, uint64_t now_ms,
                                 std::string_view key, std::string* value) {
  if (r.found && r.type != kTypeDeletion && !IsExpired(r.expire_ms, now_ms)) {
    if (IsBlobIndex(r.type)) {
      ValuePointer ptr;
      if (!ptr.DecodeFrom(*value)) {
        value->clear();
        return Status::Corruption("bad value pointer for key");
      }
      return vlog_reader_->Read(ptr, key, value);
    }
    return Status::OK();
  }
  value->clear();
  return Status::NotFound("");
}

Status DBImpl::Get(const ReadOptions& options, std::string_view key,
                   std::string* value) {
  // The sequence is read before the view: a view can only be newer, and
  // entries above the sequence are ignored.
  SequenceNumber seq = ReadSequence(options);
  std::shared_ptr<const ReadView> view = GetReadView();
  LookupKey lkey(key, seq);
  ValueType type;
  std::string_view stored;
  if (view->mem->Get(lkey, &type, &stored)) {
    return ResolveValue(type, stored, NowMillis(), value);
  }
  for (const auto& imm : view->imm) {
    if (imm->Get(lkey, &type, &stored)) {
      return ResolveValue(type, stored, NowMillis(), value);
    }
  }
  VersionGetRequest r;
  r.key = &lkey;
  r.value = value;
  r.status = view->version->Get(options, table_cache_.get(), lkey, &r.found,
                                &r.type, value, &r.expire_ms);
  if (!r.status.ok()) return r.status;
  return ResolveTableValue(r, NowMillis(), key, value);
}

void DBImpl::MultiGet(const ReadOptions& options,
                      std::span<const std::string_view> keys,
                      std::span<std::string> values,
                      std::span<Status> statuses) {
  assert(values.size() == keys.size() && statuses.size() == keys.size());
  if (keys.empty()) return;
  // As in Get: the sequence first, then the view.
  const SequenceNumber seq = ReadSequence(options);
  std::shared_ptr<const ReadView> view = GetReadView();
  const uint64_t now_ms = NowMillis();

  // The keys in the comparator's order (bytes breaking ties), so that each
  // table sees its keys in order and repeated keys are adjacent: each is
  // looked up once.
  const Comparator* ucmp = internal_comparator_.user_comparator();
  std::vector<uint32_t> order(keys.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    const int c = ucmp->Compare(keys[a], keys[b]);
    return c != 0 ? c < 0 : keys[a] < keys[b];
  });

  // In chunks of distinct keys, each chunk's lookups going through each
  // stage together.
  constexpr size_t kChunk = 32;
  size_t pos = 0;
  while (pos < order.size()) {
    std::optional<LookupKey> lkeys[kChunk];
    uint64_t hashes[kChunk];
    // order[run_begin[u], run_end[u]): distinct key u and its repeats
    size_t run_begin[kChunk];
    size_t run_end[kChunk];
    uint32_t index[kChunk];  // keys[index[u]] = keys[order[run_begin[u]]]
    bool done[kChunk];
    size_t n = 0;
    for (; n < kChunk && pos < order.size(); n++) {
      run_begin[n] = pos;
      index[n] = order[pos];
      const std::string_view key = keys[index[n]];
      lkeys[n].emplace(key, seq);
      hashes[n] = MemTable::HashUserKey(key);
      done[n] = false;
      do {
        pos++;
      } while (pos < order.size() && keys[order[pos]] == key);
      run_end[n] = pos;
    }

    // The memtables, newest first; a key found in one is settled.
    auto search_memtable = [&](const MemTable& mem) {
      for (size_t u = 0; u < n; u++) {
        if (!done[u]) mem.PrefetchGet(hashes[u]);
      }
      for (size_t u = 0; u < n; u++) {
        ValueType type;
        std::string_view stored;
        if (done[u] || !mem.Get(*lkeys[u], hashes[u], &type, &stored)) {
          continue;
        }
        std::string* value = &values[index[u]];
        statuses[index[u]] = ResolveValue(type, stored, now_ms, value);
        if (!statuses[index[u]].ok()) value->clear();
        done[u] = true;
      }
    };
    search_memtable(*view->mem);
    for (const auto& imm : view->imm) search_memtable(*imm);

    VersionGetRequest requests[kChunk];
    VersionGetRequest* pending[kChunk];
    uint32_t request_key[kChunk];  // the u of each request
    size_t num_pending = 0;
    for (size_t u = 0; u < n; u++) {
      if (done[u]) continue;
      VersionGetRequest& r = requests[num_pending];
      r.key = &*lkeys[u];
      r.hash = hashes[u];
      r.value = &values[index[u]];
      request_key[num_pending] = static_cast<uint32_t>(u);
      pending[num_pending++] = &r;
    }
    if (num_pending > 0) {
      view->version->MultiGet(options, table_cache_.get(),
                              std::span(pending, num_pending));
    }
    for (size_t j = 0; j < num_pending; j++) {
      const VersionGetRequest& r = requests[j];
      const uint32_t i = index[request_key[j]];
      statuses[i] = r.status.ok()
                        ? ResolveTableValue(r, now_ms, keys[i], &values[i])
                        : r.status;
      if (!statuses[i].ok()) values[i].clear();
    }

    // Repeats get copies of their first's answer.
    for (size_t u = 0; u < n; u++) {
      for (size_t p = run_begin[u] + 1; p < run_end[u]; p++) {
        values[order[p]] = values[index[u]];
        statuses[order[p]] = statuses[index[u]];
      }
    }
  }
}

std::unique_ptr<Iterator> DBImpl::NewIterator(const ReadOptions& options) {
  SequenceNumber seq = ReadSequence(options);
  std::shared_ptr<const ReadView> view = GetReadView();
  std::vector<std::unique_ptr<InternalIterator>> children;
  children.push_back(view->mem->NewIterator());
  for (const auto& imm : view->imm) children.push_back(imm->NewIterator());
  view->version->AddIterators(options, table_cache_.get(), &children);
  auto merged = NewMergingIterator(&internal_comparator_, std::move(children));
  // The iterator keeps the memtables and the Version (and so its files)
  // alive until it is destroyed.
  merged->RegisterCleanup([purge = iterator_purge_, view]() mutable {
    ReleaseIteratorView(purge, std::move(view));
  });
  std::optional<std::string> upper;
  if (options.iterate_upper_bound != nullptr) {
    upper.emplace(*options.iterate_upper_bound);
  }
  return NewDBIterator(std::move(merged), seq, NowMillis(), std::move(upper),
                       vlog_reader_.get());
}

void DBImpl::ReleaseIteratorView(const std::shared_ptr<IteratorPurge>& purge,
                                 std::shared_ptr<const ReadView> view) {
  std::weak_ptr<const Version> version = view->version;
  view.reset();
  // The VersionSet holds the current Version: if this one is gone, it was
  // an older one, and the files only it listed are obsolete now. Delete them
  // here rather than at the next flush or compaction (which may be far off
  // on an idle DB). A Version still held elsewhere is left to its last
  // holder, or to the next background job.
  if (!version.expired()) return;
  MutexLock p(&purge->mu);
  DBImpl* db = purge->db;
  if (db == nullptr) return;  // the DB is closed (or closing)
  MutexLock l(&db->mu_);
  db->DeleteObsoleteFiles();
}

const Snapshot* DBImpl::GetSnapshot() {
  MutexLock l(&mu_);
  auto* snapshot = new SnapshotImpl(versions_->LastSequence());
  snapshots_.push_back(snapshot);
  return snapshot;
}

void DBImpl::ReleaseSnapshot(const Snapshot* snapshot) {
  if (snapshot == nullptr) return;
  MutexLock l(&mu_);
  auto* impl = static_cast<SnapshotImpl*>(const_cast<Snapshot*>(snapshot));
  snapshots_.remove(impl);
  delete impl;
}

}  // namespace shale
