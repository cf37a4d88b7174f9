// The read path: take a sequence number and the read view under the mutex,
// then search memtables and tables without it.
#include <cinttypes>
#include <cstdio>

#include "db/db_impl.h"
#include "db/db_iter.h"
#include "db/filename.h"
#include "table/merging_iterator.h"

namespace shale {

class DBImpl::SnapshotImpl : public Snapshot {
 public:
  explicit SnapshotImpl(SequenceNumber seq) : sequence(seq) {}
  ~SnapshotImpl() override = default;
  const SequenceNumber sequence;
};

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
    return static_cast<const SnapshotImpl*>(options.snapshot)->sequence;
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
  // alive.
  merged->RegisterCleanup([view] {});
  std::optional<std::string> upper;
  if (options.iterate_upper_bound != nullptr) {
    upper.emplace(*options.iterate_upper_bound);
  }
  return NewDBIterator(std::move(merged), seq, NowMillis(), std::move(upper));
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

uint64_t DBImpl::MemBytes() const {
  uint64_t sum = mem_->ApproximateMemoryUsage();
  for (const auto& m : imm_) sum += m->ApproximateMemoryUsage();
  return sum;
}

uint64_t DBImpl::LiveWalBytes() {
  uint64_t sum = 0;
  std::vector<std::string> children;
  if (!env_->GetChildren(dbname_, &children).ok()) return sum;
  for (const auto& child : children) {
    uint64_t number, size;
    FileType type;
    if (ParseFileName(child, &number, &type) && type == FileType::kLogFile &&
        number >= versions_->LogNumber() &&
        env_->GetFileSize(dbname_ + "/" + child, &size).ok()) {
      sum += size;
    }
  }
  return sum;
}

bool DBImpl::GetProperty(std::string_view name, std::string* value) {
  value->clear();
  constexpr std::string_view kPrefix = "shale.";
  if (name.substr(0, kPrefix.size()) != kPrefix) return false;
  name.remove_prefix(kPrefix.size());
  MutexLock l(&mu_);
  auto version = versions_->current();

  constexpr std::string_view kFilesAtLevel = "num-files-at-level";
  if (name.substr(0, kFilesAtLevel.size()) == kFilesAtLevel) {
    std::string_view rest = name.substr(kFilesAtLevel.size());
    if (rest.empty() || rest.size() > 2) return false;
    int level = 0;
    for (char c : rest) {
      if (c < '0' || c > '9') return false;
      level = level * 10 + (c - '0');
    }
    if (level >= kNumLevels) return false;
    *value = std::to_string(version->NumFiles(level));
    return true;
  }
  auto total_sst = [&version] {
    uint64_t sum = 0;
    for (int level = 0; level < kNumLevels; level++) {
      sum += version->LevelBytes(level);
    }
    return sum;
  };

  if (name == "total-sst-bytes") {
    *value = std::to_string(total_sst());
  } else if (name == "live-wal-bytes") {
    *value = std::to_string(LiveWalBytes());
  } else if (name == "mem-bytes") {
    *value = std::to_string(MemBytes());
  } else if (name == "num-immutable-mem-table") {
    *value = std::to_string(imm_.size());
  } else if (name == "last-sequence") {
    *value = std::to_string(versions_->LastSequence());
  } else if (name == "num-snapshots") {
    *value = std::to_string(snapshots_.size());
  } else if (name == "stats") {
    char buf[256];
    std::string& r = *value;
    r += "Level  Files  Size(bytes)\n";
    for (int level = 0; level < kNumLevels; level++) {
      std::snprintf(buf, sizeof(buf), "%5d %6d %12" PRIu64 "\n", level,
                    version->NumFiles(level), version->LevelBytes(level));
      r += buf;
    }
    uint64_t user = stat_user_bytes_written_.load();
    uint64_t wal = stat_wal_bytes_written_.load();
    uint64_t flushed = stat_flush_bytes_written_.load();
    std::snprintf(buf, sizeof(buf),
                  "writes: %" PRIu64 " in %" PRIu64
                  " groups, user bytes %" PRIu64 ", WAL bytes %" PRIu64 "\n",
                  stat_writes_.load(), stat_write_groups_.load(), user, wal);
    r += buf;
    std::snprintf(buf, sizeof(buf),
                  "flushes: %" PRIu64 ", flushed bytes %" PRIu64
                  ", stall micros %" PRIu64 "\n",
                  stat_num_flushes_.load(), flushed, stat_stall_micros_.load());
    r += buf;
    std::snprintf(buf, sizeof(buf),
                  "memtables: %zu immutable, %" PRIu64
                  " bytes; live WAL %" PRIu64 " bytes; last sequence %" PRIu64
                  "; snapshots %zu\n",
                  imm_.size(), MemBytes(), LiveWalBytes(),
                  versions_->LastSequence(), snapshots_.size());
    r += buf;
    if (!bg_error_.ok())
      r += "background error: " + bg_error_.ToString() + "\n";
  } else {
    return false;
  }
  return true;
}

}  // namespace shale
