#include "db/version_set.h"

#include <algorithm>
#include <map>

#include "db/file_util.h"
#include "db/filename.h"
#include "db/log_reader.h"
#include "db/log_writer.h"
#include "db/stored_value.h"
#include "db/table_cache.h"
#include "table/two_level_iterator.h"
#include "util/kill_point.h"

namespace shale {

// ---------------------------------------------------------------------------
// Version

int Version::CountLevel0Runs() const {
  std::vector<std::pair<SequenceNumber, SequenceNumber>> ranges;
  ranges.reserve(files_[0].size());
  int runs = 0;
  for (const auto& f : files_[0]) {
    if (f->largest_seq == 0) {
      runs++;  // no sequence range to go by: a run of its own
    } else {
      ranges.emplace_back(f->smallest_seq, f->largest_seq);
    }
  }
  std::sort(ranges.begin(), ranges.end());
  SequenceNumber end = 0;
  for (size_t i = 0; i < ranges.size(); i++) {
    if (i == 0 || ranges[i].first > end) {
      runs++;
      end = ranges[i].second;
    } else {
      end = std::max(end, ranges[i].second);
    }
  }
  return runs;
}

uint64_t Version::LevelBytes(int level) const {
  uint64_t sum = 0;
  for (const auto& f : files_[level]) sum += f->file_size;
  return sum;
}

uint64_t Version::LevelLogicalBytes(int level) const {
  uint64_t sum = 0;
  for (const auto& f : files_[level]) sum += f->LogicalSize();
  return sum;
}

size_t Version::FindFile(int level, std::string_view internal_key) const {
  const FileList& files = files_[level];
  size_t lo = 0, hi = files.size();
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (icmp_->Compare(files[mid]->largest, internal_key) < 0) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

namespace {

// What a lookup of user_key makes of the first entry >= its key in table
// file `number`: nothing if the entry is another user key's; else *found,
// *type and *value (the user value, an expiring entry's expiry split off
// into *expire_ms).
Status TakeTableEntry(const Comparator* ucmp, uint64_t number,
                      std::string_view user_key, std::string_view entry_key,
                      std::string_view entry_value, bool* found,
                      ValueType* type, std::string* value,
                      uint64_t* expire_ms) {
  ParsedInternalKey parsed;
  if (!ParseInternalKey(entry_key, &parsed)) {
    return Status::Corruption("corrupted internal key in",
                              TableFileName("", number));
  }
  if (ucmp->Compare(parsed.user_key, user_key) != 0) return Status::OK();
  *found = true;
  *type = parsed.type;
  StoredValue stored;
  if (parsed.type != kTypeDeletion) {
    if (!stored.Parse(parsed.type, entry_value)) {
      return Status::Corruption("expiring value too short in",
                                TableFileName("", number));
    }
    *expire_ms = stored.expire_at_ms;
  }
  value->assign(stored.payload.data(), stored.payload.size());
  return Status::OK();
}

}  // namespace

Status Version::Get(const ReadOptions& options, TableCache* cache,
                    const LookupKey& key, bool* found, ValueType* type,
                    std::string* value, uint64_t* expire_ms) const {
  *found = false;
  *expire_ms = 0;
  const Comparator* ucmp = icmp_->user_comparator();
  std::string_view user_key = key.user_key();
  std::string_view ikey = key.internal_key();

  // Searches one file; true when it settled the lookup (found or error).
  Status s;
  auto search = [&](const FileMetaData& f) {
    Status entry_status;
    s = cache->Get(options, f.number, f.file_size, ikey,
                   [&](std::string_view entry_key, std::string_view v) {
                     entry_status =
                         TakeTableEntry(ucmp, f.number, user_key, entry_key, v,
                                        found, type, value, expire_ms);
                   });
    if (s.ok()) s = entry_status;
    return !s.ok() || *found;
  };

  // Level 0: files may overlap; newest (highest number) first.
  const FileList& l0 = files_[0];
  for (auto it = l0.rbegin(); it != l0.rend(); ++it) {
    const FileMetaData& f = **it;
    if (ucmp->Compare(user_key, ExtractUserKey(f.smallest)) < 0 ||
        ucmp->Compare(user_key, ExtractUserKey(f.largest)) > 0) {
      continue;
    }
    if (search(f)) return s;
  }
  for (int level = 1; level < kNumLevels; level++) {
    const FileList& files = files_[level];
    if (files.empty()) continue;
    size_t index = FindFile(level, ikey);
    if (index >= files.size()) continue;
    const FileMetaData& f = *files[index];
    if (ucmp->Compare(user_key, ExtractUserKey(f.smallest)) < 0) continue;
    if (search(f)) return s;
  }
  return s;
}

void Version::MultiGet(const ReadOptions& options, TableCache* cache,
                       std::span<VersionGetRequest* const> requests) const {
  const Comparator* ucmp = icmp_->user_comparator();
  std::vector<VersionGetRequest*> pending(requests.begin(), requests.end());
  for (VersionGetRequest* r : pending) {
    r->found = false;
    r->expire_ms = 0;
    r->status = Status::OK();
  }
  // Searches one file for the requests in group, all of which it may hold.
  std::vector<VersionGetRequest*> group;
  std::vector<Table::BatchKey> keys;
  std::vector<Status> statuses;
  auto search = [&](const FileMetaData& f) {
    keys.clear();
    for (VersionGetRequest* r : group) {
      keys.push_back({r->key->internal_key(), r->hash});
    }
    statuses.assign(group.size(), Status::OK());
    cache->MultiGet(
        options, f.number, f.file_size, keys, statuses,
        [&](size_t i, std::string_view entry_key, std::string_view v) {
          VersionGetRequest* r = group[i];
          statuses[i] =
              TakeTableEntry(ucmp, f.number, r->key->user_key(), entry_key, v,
                             &r->found, &r->type, r->value, &r->expire_ms);
        });
    for (size_t i = 0; i < group.size(); i++) group[i]->status = statuses[i];
    group.clear();
  };
  // Drops the settled requests (found or failed) from pending.
  auto settle = [&] {
    std::erase_if(pending, [](const VersionGetRequest* r) {
      return !r->status.ok() || r->found;
    });
  };

  // Level 0: files may overlap; newest (highest number) first.
  const FileList& l0 = files_[0];
  for (auto it = l0.rbegin(); it != l0.rend() && !pending.empty(); ++it) {
    const FileMetaData& f = **it;
    for (VersionGetRequest* r : pending) {
      if (ucmp->Compare(r->key->user_key(), ExtractUserKey(f.smallest)) >= 0 &&
          ucmp->Compare(r->key->user_key(), ExtractUserKey(f.largest)) <= 0) {
        group.push_back(r);
      }
    }
    if (!group.empty()) search(f);
    settle();
  }
  // Deeper levels: the requests are sorted, so the file each may be in
  // goes up with them and the requests of one file are adjacent.
  for (int level = 1; level < kNumLevels && !pending.empty(); level++) {
    const FileList& files = files_[level];
    if (files.empty()) continue;
    size_t group_file = 0;
    for (VersionGetRequest* r : pending) {
      const size_t index = FindFile(level, r->key->internal_key());
      if (index >= files.size() ||
          ucmp->Compare(r->key->user_key(),
                        ExtractUserKey(files[index]->smallest)) < 0) {
        continue;
      }
      if (!group.empty() && index != group_file) search(*files[group_file]);
      group_file = index;
      group.push_back(r);
    }
    if (!group.empty()) search(*files[group_file]);
    settle();
  }
}

namespace {

// Iterates the files of a sorted level: key() is a file's largest key,
// value() its number and size (two fixed64s).
class LevelFileIterator final : public InternalIterator {
 public:
  LevelFileIterator(const InternalKeyComparator* icmp, const FileList* files)
      : icmp_(icmp), files_(files), index_(files->size()) {}
  bool Valid() const override { return index_ < files_->size(); }
  void Seek(std::string_view target) override {
    size_t lo = 0, hi = files_->size();
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (icmp_->Compare((*files_)[mid]->largest, target) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    index_ = lo;
  }
  void SeekToFirst() override { index_ = 0; }
  void SeekToLast() override {
    index_ = files_->empty() ? 0 : files_->size() - 1;
  }
  void Next() override { index_++; }
  void Prev() override { index_ = index_ == 0 ? files_->size() : index_ - 1; }
  std::string_view key() const override { return (*files_)[index_]->largest; }
  std::string_view value() const override {
    EncodeFixed64(buf_, (*files_)[index_]->number);
    EncodeFixed64(buf_ + 8, (*files_)[index_]->file_size);
    return {buf_, sizeof(buf_)};
  }
  Status status() const override { return Status::OK(); }

 private:
  const InternalKeyComparator* const icmp_;
  const FileList* const files_;
  size_t index_;
  mutable char buf_[16];
};

}  // namespace

std::unique_ptr<InternalIterator> NewFileListIterator(
    const InternalKeyComparator* icmp, TableCache* cache,
    const ReadOptions& options, const FileList* files) {
  ReadOptions opts = options;
  return NewTwoLevelIterator(
      std::make_unique<LevelFileIterator>(icmp, files),
      [cache, opts](std::string_view file_value) {
        if (file_value.size() != 16) {
          return NewEmptyIterator(
              Status::Corruption("bad file entry in level iterator"));
        }
        return cache->NewIterator(opts, DecodeFixed64(file_value.data()),
                                  DecodeFixed64(file_value.data() + 8));
      });
}

void Version::AddIterators(
    const ReadOptions& options, TableCache* cache,
    std::vector<std::unique_ptr<InternalIterator>>* iters) const {
  for (const auto& f : files_[0]) {
    iters->push_back(cache->NewIterator(options, f->number, f->file_size));
  }
  for (int level = 1; level < kNumLevels; level++) {
    if (files_[level].empty()) continue;
    iters->push_back(
        NewFileListIterator(icmp_, cache, options, &files_[level]));
  }
}

void Version::TEST_AddFile(int level, std::shared_ptr<const FileMetaData> f) {
  FileList& files = files_[level];
  files.push_back(std::move(f));
  std::sort(files.begin(), files.end(),
            [this, level](const auto& a, const auto& b) {
              return level == 0 ? a->number < b->number
                                : icmp_->Compare(a->smallest, b->smallest) < 0;
            });
  level0_runs_ = CountLevel0Runs();
}

bool Version::OverlapInLevel(int level, std::string_view smallest_user_key,
                             std::string_view largest_user_key) const {
  const Comparator* ucmp = icmp_->user_comparator();
  const FileList& files = files_[level];
  if (level == 0) {
    for (const auto& f : files) {
      if (ucmp->Compare(largest_user_key, ExtractUserKey(f->smallest)) < 0 ||
          ucmp->Compare(smallest_user_key, ExtractUserKey(f->largest)) > 0) {
        continue;
      }
      return true;
    }
    return false;
  }
  // Sorted level: the first file whose largest >= smallest_user_key.
  std::string probe(smallest_user_key);
  PutFixed64(&probe,
             PackSequenceAndType(kMaxSequenceNumber, kValueTypeForSeek));
  size_t index = FindFile(level, probe);
  if (index >= files.size()) return false;
  return ucmp->Compare(largest_user_key,
                       ExtractUserKey(files[index]->smallest)) >= 0;
}

std::string Version::DebugString() const {
  std::string r;
  for (int level = 0; level < kNumLevels; level++) {
    if (files_[level].empty()) continue;
    r += "level " + std::to_string(level) + ":\n";
    for (const auto& f : files_[level]) {
      r += "  " + std::to_string(f->number) + " " +
           std::to_string(f->file_size) + " bytes\n";
    }
  }
  return r;
}

// ---------------------------------------------------------------------------
// VersionSet::Builder: applies edits to a base Version without copying the
// file metadata (files are shared between Versions).

class VersionSet::Builder {
 public:
  Builder(const InternalKeyComparator* icmp, const Version* base)
      : icmp_(icmp), base_(base), vlogs_(base->vlogs_) {}

  // Corruption if an edit is inconsistent with the files it applies to.
  Status Apply(const VersionEdit& edit) {
    for (const auto& [level, number] : edit.deleted_files()) {
      if (level < 0 || level >= kNumLevels) {
        return Status::Corruption("MANIFEST deletes a file at a bad level");
      }
      deleted_[level].insert(number);
      added_[level].erase(number);
    }
    for (const auto& [level, meta] : edit.new_files()) {
      if (level < 0 || level >= kNumLevels) {
        return Status::Corruption("MANIFEST adds a file at a bad level");
      }
      deleted_[level].erase(meta.number);
      added_[level][meta.number] = std::make_shared<const FileMetaData>(meta);
    }
    return ApplyVlogs(edit);
  }

  Status ApplyVlogs(const VersionEdit& edit) {
    for (const VlogFileMeta& f : edit.new_vlog_files()) {
      if (vlogs_.count(f.number)) {
        return Status::Corruption("MANIFEST adds vlog file " +
                                  std::to_string(f.number) + " twice");
      }
      vlogs_[f.number] = f;
    }
    for (const auto& [number, bytes] : edit.vlog_garbage()) {
      auto it = vlogs_.find(number);
      if (it == vlogs_.end()) {
        return Status::Corruption("MANIFEST counts garbage in unknown vlog " +
                                  std::to_string(number));
      }
      it->second.garbage_bytes += bytes;
      if (it->second.garbage_bytes > it->second.data_bytes) {
        return Status::Corruption("MANIFEST: vlog " + std::to_string(number) +
                                  " has more garbage than data");
      }
    }
    for (uint64_t number : edit.deleted_vlog_files()) vlogs_.erase(number);
    return Status::OK();
  }

  Status SaveTo(Version* v) {
    v->vlogs_ = vlogs_;
    for (int level = 0; level < kNumLevels; level++) {
      FileList files;
      for (const auto& f : base_->files_[level]) {
        if (!deleted_[level].count(f->number) &&
            !added_[level].count(f->number)) {
          files.push_back(f);
        }
      }
      for (const auto& [number, f] : added_[level]) files.push_back(f);
      if (level == 0) {
        std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) {
          return a->number < b->number;
        });
      } else {
        std::sort(files.begin(), files.end(),
                  [this](const auto& a, const auto& b) {
                    return icmp_->Compare(a->smallest, b->smallest) < 0;
                  });
        for (size_t i = 1; i < files.size(); i++) {
          if (icmp_->Compare(files[i - 1]->largest, files[i]->smallest) >= 0) {
            return Status::Corruption("MANIFEST: overlapping files " +
                                      std::to_string(files[i - 1]->number) +
                                      " and " +
                                      std::to_string(files[i]->number) +
                                      " at level " + std::to_string(level));
          }
        }
      }
      v->files_[level] = std::move(files);
    }
    v->level0_runs_ = v->CountLevel0Runs();
    return Status::OK();
  }

 private:
  const InternalKeyComparator* const icmp_;
  const Version* const base_;
  std::set<uint64_t> deleted_[kNumLevels];
  std::map<uint64_t, std::shared_ptr<const FileMetaData>> added_[kNumLevels];
  std::map<uint64_t, VlogFileMeta> vlogs_;
};

// ---------------------------------------------------------------------------
// VersionSet

VersionSet::VersionSet(std::string dbname, const Options& options, Env* env,
                       const InternalKeyComparator* icmp, Mutex* mu)
    : dbname_(std::move(dbname)),
      options_(options),
      env_(env),
      icmp_(icmp),
      manifest_cv_(mu) {
  AppendVersion(std::make_shared<const Version>(icmp_));
}

VersionSet::~VersionSet() {
  if (descriptor_file_ != nullptr)
    descriptor_file_->Close().PermitUncheckedError();
}

void VersionSet::AppendVersion(std::shared_ptr<const Version> v) {
  // Drop entries of Versions nobody holds any more.
  live_versions_.remove_if([](const auto& w) { return w.expired(); });
  live_versions_.push_back(v);
  current_ = std::move(v);
}

void VersionSet::AddLiveFiles(std::set<uint64_t>* live) {
  for (auto it = live_versions_.begin(); it != live_versions_.end();) {
    std::shared_ptr<const Version> v = it->lock();
    if (v == nullptr) {
      it = live_versions_.erase(it);
      continue;
    }
    for (int level = 0; level < kNumLevels; level++) {
      for (const auto& f : v->files_[level]) live->insert(f->number);
    }
    for (const auto& [number, meta] : v->vlogs_) live->insert(number);
    ++it;
  }
}

Status VersionSet::WriteSnapshot(log::Writer* log) {
  return log->AddRecord(SnapshotRecord());
}

std::string VersionSet::SnapshotRecord() const {
  VersionEdit edit;
  edit.SetComparatorName(icmp_->user_comparator()->Name());
  if (!compaction_filter_name_.empty()) {
    edit.SetCompactionFilterName(compaction_filter_name_);
  }
  for (int level = 0; level < kNumLevels; level++) {
    for (const auto& f : current_->files_[level]) edit.AddFile(level, *f);
  }
  for (const auto& [number, meta] : current_->vlogs_) edit.AddVlogFile(meta);
  edit.SetLogNumber(log_number_);
  edit.SetNextFileNumber(next_file_number_);
  edit.SetLastSequence(LastSequence());
  std::string record;
  EncodeEditGroup({&edit}, &record);
  return record;
}

Status VersionSet::LogAndApply(std::vector<VersionEdit*> edits, Mutex* mu) {
  while (manifest_busy_) manifest_cv_.Wait();
  manifest_busy_ = true;

  for (VersionEdit* edit : edits) {
    if (edit->has_log_number()) {
      if (edit->log_number() < log_number_ ||
          edit->log_number() >= next_file_number_) {
        manifest_busy_ = false;
        manifest_cv_.SignalAll();
        return Status::InvalidArgument("LogAndApply: bad log number");
      }
    }
  }
  VersionEdit* last = edits.back();
  uint64_t new_log_number = log_number_;
  for (VersionEdit* edit : edits) {
    if (edit->has_log_number()) new_log_number = edit->log_number();
  }
  last->SetLogNumber(new_log_number);
  last->SetNextFileNumber(next_file_number_);
  last->SetLastSequence(LastSequence());

  auto v = std::make_shared<Version>(icmp_);
  Status s;
  {
    Builder builder(icmp_, current_.get());
    for (VersionEdit* edit : edits) {
      s = builder.Apply(*edit);
      if (!s.ok()) break;
    }
    if (s.ok()) s = builder.SaveTo(v.get());
  }
  if (s.ok()) {
    // A vlog file that is all garbage leaves the DB in the same edit that
    // made it so (deciding here, with edits serialized, misses none). Its
    // bytes go once no Version that still lists it is held.
    VersionEdit removals;
    for (const auto& [number, meta] : v->vlogs_) {
      if (meta.garbage_bytes == meta.data_bytes)
        removals.RemoveVlogFile(number);
    }
    if (!removals.deleted_vlog_files().empty()) {
      for (uint64_t number : removals.deleted_vlog_files()) {
        last->RemoveVlogFile(number);
        v->vlogs_.erase(number);
      }
    }
  }

  // Start a new MANIFEST (at open, or after a failed append) with a
  // snapshot of the current state.
  std::string new_manifest;
  uint64_t new_manifest_number = 0;
  if (s.ok() && descriptor_log_ == nullptr) {
    new_manifest_number = NewFileNumber();
    last->SetNextFileNumber(next_file_number_);
    new_manifest = DescriptorFileName(dbname_, new_manifest_number);
    s = env_->NewWritableFile(new_manifest, &descriptor_file_);
    if (s.ok()) {
      descriptor_log_ = std::make_unique<log::Writer>(descriptor_file_.get());
      s = WriteSnapshot(descriptor_log_.get());
    }
  }

  std::string record;
  if (s.ok()) {
    EncodeEditGroup(std::vector<const VersionEdit*>(edits.begin(), edits.end()),
                    &record);
  }

  bool current_renamed = false;  // CURRENT may name new_manifest
  if (s.ok()) {
    mu->Unlock();
    SHALE_KILL_POINT("manifest.append.before");
    s = descriptor_log_->AddRecord(record);
    SHALE_KILL_POINT("manifest.append.after");
    if (s.ok()) s = descriptor_file_->Sync();
    SHALE_KILL_POINT("manifest.synced");
    if (s.ok() && !new_manifest.empty()) {
      s = SetCurrentFile(env_, dbname_, new_manifest_number, &current_renamed);
      SHALE_KILL_POINT("manifest.current.switched");
    }
    mu->Lock();
  }

  if (s.ok()) {
    if (!new_manifest.empty()) manifest_file_number_ = new_manifest_number;
    log_number_ = new_log_number;
    for (VersionEdit* edit : edits) {
      if (edit->has_compaction_filter_name()) {
        compaction_filter_name_ = edit->compaction_filter_name();
      }
    }
    AppendVersion(std::move(v));
  } else if (!new_manifest.empty()) {
    descriptor_log_.reset();
    descriptor_file_.reset();
    // Once renamed over, CURRENT names the new MANIFEST (only the directory
    // sync failed): it stays, numbered above manifest_file_number_, which
    // DeleteObsoleteFiles keeps. The edit counts as failed, so the caller
    // holds a background error (or fails the open) and deletes nothing
    // until a later LogAndApply has switched CURRENT to a newer MANIFEST.
    if (!current_renamed) env_->RemoveFile(new_manifest).PermitUncheckedError();
  } else {
    // The MANIFEST may now end in a partial record: stop appending to it.
    // The next LogAndApply starts a fresh one from a full snapshot.
    descriptor_log_.reset();
    descriptor_file_.reset();
  }
  manifest_busy_ = false;
  manifest_cv_.SignalAll();
  return s;
}

namespace {

struct ManifestReporter : public log::Reader::Reporter {
  Status* status;
  void Corruption(size_t /*bytes*/, const Status& s) override {
    if (status->ok()) *status = s;
  }
};

}  // namespace

Status VersionSet::Recover() {
  std::string current;
  Status s = ReadFileToString(env_, CurrentFileName(dbname_), &current);
  if (!s.ok()) return s;
  if (current.empty() || current.back() != '\n') {
    return Status::Corruption("CURRENT file does not end with a newline");
  }
  current.pop_back();
  uint64_t manifest_number;
  FileType type;
  if (!ParseFileName(current, &manifest_number, &type) ||
      type != FileType::kDescriptorFile) {
    return Status::Corruption("CURRENT names no MANIFEST", current);
  }
  std::string manifest = dbname_ + "/" + current;
  std::unique_ptr<SequentialFile> file;
  s = env_->NewSequentialFile(manifest, &file);
  if (!s.ok()) {
    // A MANIFEST that is there but cannot be opened now (EIO) is an I/O
    // problem, not damage.
    if (env_->FileExists(manifest)) return s;
    return Status::Corruption("CURRENT points to a missing MANIFEST",
                              s.ToString());
  }

  Builder builder(icmp_, current_.get());
  bool have_log = false, have_next = false, have_seq = false;
  uint64_t log_number = 0, next_file = 0;
  SequenceNumber last_seq = 0;
  {
    Status read_status;
    ManifestReporter reporter;
    reporter.status = &read_status;
    // The MANIFEST is synced after every record: only an incomplete last
    // record is a torn write; a complete record that fails its checksum is
    // damage, wherever it is.
    log::Reader reader(file.get(), &reporter, manifest,
                       WalRecoveryMode::kAbsoluteConsistency);
    std::string_view record;
    std::string scratch;
    while (reader.ReadRecord(&record, &scratch) && s.ok()) {
      std::vector<VersionEdit> group;
      s = DecodeEditGroup(record, &group);
      if (!s.ok()) {
        s = Status::Corruption(manifest, s.message());
        break;
      }
      for (const VersionEdit& edit : group) {
        if (edit.has_comparator_name() &&
            edit.comparator_name() != icmp_->user_comparator()->Name()) {
          return Status::InvalidArgument(
              "comparator " + std::string(edit.comparator_name()) +
              " does not match " + icmp_->user_comparator()->Name());
        }
        s = builder.Apply(edit);
        if (!s.ok()) break;
        if (edit.has_log_number()) {
          log_number = edit.log_number();
          have_log = true;
        }
        if (edit.has_next_file_number()) {
          next_file = edit.next_file_number();
          have_next = true;
        }
        if (edit.has_last_sequence()) {
          last_seq = edit.last_sequence();
          have_seq = true;
        }
        if (edit.has_compaction_filter_name()) {
          compaction_filter_name_ = edit.compaction_filter_name();
        }
      }
    }
    if (s.ok()) s = read_status;
    if (s.ok()) s = reader.status();
  }
  if (!s.ok()) return s;
  if (!have_next) return Status::Corruption(manifest, "no next-file entry");
  if (!have_log) return Status::Corruption(manifest, "no log-number entry");
  if (!have_seq) return Status::Corruption(manifest, "no last-sequence entry");

  auto v = std::make_shared<Version>(icmp_);
  s = builder.SaveTo(v.get());
  if (!s.ok()) return Status::Corruption(manifest, s.message());
  AppendVersion(std::move(v));
  manifest_file_number_ = manifest_number;
  next_file_number_ = next_file;
  MarkFileNumberUsed(manifest_number);
  MarkFileNumberUsed(log_number);
  log_number_ = log_number;
  SetLastSequence(last_seq);
  return Status::OK();
}

}  // namespace shale
