// The read path: take a sequence number and the read view under the mutex,
// then search memtables and tables without it.
#include "db/db_impl.h"
#include "db/db_iter.h"
#include "db/filename.h"
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
      uint64_t expire_ms;
      std::string_view user_value;
      if (!SplitExpiringValue(stored, &expire_ms, &user_value)) {
        return Status::Corruption("expiring value too short");
      }
      if (IsExpired(expire_ms, now_ms)) return Status::NotFound("expired");
      value->assign(user_value.data(), user_value.size());
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
  bool found = false;
  uint64_t expire_ms = 0;
  Status s = view->version->Get(options, table_cache_.get(), lkey, &found,
                                &type, value, &expire_ms);
  if (!s.ok()) return s;
  if (found && type != kTypeDeletion && !IsExpired(expire_ms, NowMillis())) {
    if (IsBlobIndex(type)) {
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
