// Versions: which table files make up the DB, level by level.
//
// A Version is an immutable list of files per level. The VersionSet holds
// the current Version and applies VersionEdits to produce the next one,
// logging each group of edits to the MANIFEST before installing it (see
// docs/format/manifest.md). Readers take a shared_ptr to the current Version
// and search it without any lock; a Version stays alive (and with it every
// file it lists) as long as somebody holds it.
//
// Level 0 holds files flushed from memtables; they may overlap and are
// ordered oldest first (by file number, which follows flush order). Levels
// 1.. hold non-overlapping files sorted by smallest key.
//
// Thread safety: VersionSet methods require the DB mutex unless stated;
// LogAndApply releases it while writing the MANIFEST.
#ifndef SHALE_DB_VERSION_SET_H_
#define SHALE_DB_VERSION_SET_H_

#include <atomic>
#include <list>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "db/dbformat.h"
#include "db/version_edit.h"
#include "shale/env.h"
#include "shale/options.h"
#include "table/internal_iterator.h"
#include "util/mutex.h"

namespace shale {

namespace log {
class Writer;
}
class TableCache;

using FileList = std::vector<std::shared_ptr<const FileMetaData>>;

// One lookup of Version::MultiGet and, once it returns, Version::Get's
// answer for it.
struct VersionGetRequest {
  // Set by the caller.
  const LookupKey* key = nullptr;
  uint64_t hash = 0;             // BloomHash(key->user_key())
  std::string* value = nullptr;  // where a found value goes
  // Set by MultiGet, as Get sets its out-parameters and returns its status.
  Status status;
  bool found = false;
  ValueType type = kTypeValue;
  uint64_t expire_ms = 0;
};

class Version {
 public:
  explicit Version(const InternalKeyComparator* icmp) : icmp_(icmp) {}

  // Point lookup of key.user_key() as of key's sequence, in table files
  // only. Returns OK and sets *found=false when no file holds the key.
  // Otherwise sets *type; for values, *value gets the user value (for
  // blob indexes the value pointer; an expiring entry's expiry goes to
  // *expire_ms, else 0) with one copy.
  Status Get(const ReadOptions& options, TableCache* cache,
             const LookupKey& key, bool* found, ValueType* type,
             std::string* value, uint64_t* expire_ms) const;

  // Get for each request, against the same files: each table holding
  // keys of several requests is opened once and asked for them together
  // (Table::MultiGet), level by level; a request settles (found, or an
  // error) at the same file Get would settle it.
  // REQUIRES: requests ordered by user key, no two with the same user key.
  void MultiGet(const ReadOptions& options, TableCache* cache,
                std::span<VersionGetRequest* const> requests) const;

  // Appends one iterator per level-0 file and one per deeper non-empty level.
  void AddIterators(
      const ReadOptions& options, TableCache* cache,
      std::vector<std::unique_ptr<InternalIterator>>* iters) const;

  const FileList& files(int level) const { return files_[level]; }
  // Live value log files by number, with their garbage counts.
  const std::map<uint64_t, VlogFileMeta>& vlog_files() const { return vlogs_; }
  int NumFiles(int level) const {
    return static_cast<int>(files_[level].size());
  }
  // Level 0's sorted runs: its files, counting as one the files a flush
  // cut in several (Options::table_partitioner). A memtable's sequence
  // numbers are contiguous and no two memtables share one, so files whose
  // [smallest_seq, largest_seq] ranges chain together came from one flush;
  // a flush whose pieces' ranges do not touch counts as several, as
  // before partitioning. The level-0 compaction score and the write
  // slowdown and stop triggers count these, so that cutting a flush by
  // key kind does not bring them sooner. Counted once, when the Version is
  // built (the write path asks on every write group).
  int Level0Runs() const { return level0_runs_; }
  uint64_t LevelBytes(int level) const;
  // Sum of the level's FileMetaData::LogicalSize(): the level's bytes with
  // the values it holds in vlogs counted in.
  uint64_t LevelLogicalBytes(int level) const;

  // Index of the first file in a sorted level whose largest key >= ikey.
  size_t FindFile(int level, std::string_view internal_key) const;
  // True if a file of level may hold a user key in [smallest, largest].
  bool OverlapInLevel(int level, std::string_view smallest_user_key,
                      std::string_view largest_user_key) const;
  // True if no file of level `from` or any deeper level may hold user_key.
  bool IsBaseLevelForKey(int from, std::string_view user_key) const {
    for (int level = from; level < kNumLevels; level++) {
      if (OverlapInLevel(level, user_key, user_key)) return false;
    }
    return true;
  }

  std::string DebugString() const;

  // Tests: adds f to level, keeping the level's order.
  void TEST_AddFile(int level, std::shared_ptr<const FileMetaData> f);
  void TEST_AddVlog(const VlogFileMeta& v) { vlogs_[v.number] = v; }

 private:
  friend class VersionSet;
  friend class VersionBuilder;

  // O(n log n) in level 0's files.
  int CountLevel0Runs() const;

  const InternalKeyComparator* const icmp_;
  FileList files_[kNumLevels];
  std::map<uint64_t, VlogFileMeta> vlogs_;
  int level0_runs_ = 0;
};

// Iterates the concatenated contents of *files, which must be sorted and
// non-overlapping and must outlive the iterator.
std::unique_ptr<InternalIterator> NewFileListIterator(
    const InternalKeyComparator* icmp, TableCache* cache,
    const ReadOptions& options, const FileList* files);

class VersionSet {
 public:
  // mu is the DB mutex that guards this object.
  VersionSet(std::string dbname, const Options& options, Env* env,
             const InternalKeyComparator* icmp, Mutex* mu);
  ~VersionSet();
  VersionSet(const VersionSet&) = delete;
  VersionSet& operator=(const VersionSet&) = delete;

  // Rebuilds the state from CURRENT and the MANIFEST it names. REQUIRES:
  // mu held by the caller (Open), no concurrency yet.
  Status Recover();

  // Applies a group of edits atomically: writes them as one MANIFEST record
  // (starting a new MANIFEST with a full snapshot first when there is none
  // yet), syncs it, then installs the resulting Version. Fills in the log
  // number, next file number and last sequence. Concurrent callers are
  // serialized. REQUIRES: *mu held; releases it during I/O.
  //
  // On failure nothing is installed, but the outcome on disk may be either:
  // the record may have reached the MANIFEST, or CURRENT may already name a
  // new MANIFEST holding it (a directory sync failed after the switch). So
  // the caller must delete none of the edits' files and make the failure a
  // background error (or fail the open); the next successful call starts a
  // new MANIFEST, after which unlisted files are obsolete again.
  Status LogAndApply(std::vector<VersionEdit*> edits, Mutex* mu) REQUIRES(mu);

  std::shared_ptr<const Version> current() const { return current_; }

  uint64_t NewFileNumber() { return next_file_number_++; }
  // Returns a number taken by NewFileNumber that went unused.
  void ReuseFileNumber(uint64_t n) {
    if (next_file_number_ == n + 1) next_file_number_ = n;
  }
  uint64_t next_file_number() const { return next_file_number_; }
  void MarkFileNumberUsed(uint64_t n) {
    if (next_file_number_ <= n) next_file_number_ = n + 1;
  }

  // Readable without the mutex: the newest sequence whose write is visible.
  SequenceNumber LastSequence() const {
    return last_sequence_.load(std::memory_order_acquire);
  }
  void SetLastSequence(SequenceNumber s) {
    last_sequence_.store(s, std::memory_order_release);
  }

  // The compaction filter name the MANIFEST records ("" when none).
  const std::string& compaction_filter_name() const {
    return compaction_filter_name_;
  }

  // WALs numbered below this are fully flushed and no longer needed.
  uint64_t LogNumber() const { return log_number_; }
  uint64_t ManifestFileNumber() const { return manifest_file_number_; }

  // Adds the numbers of every file listed by a live Version.
  void AddLiveFiles(std::set<uint64_t>* live);

  // The first record of a new MANIFEST describing the current state whole:
  // the current Version's files and vlogs, the log number, the next file
  // number, the last sequence and the compaction filter name. A checkpoint
  // starts its own MANIFEST with it (DBImpl::CreateCheckpoint).
  std::string SnapshotRecord() const;

  int NumLevelFiles(int level) const { return current_->NumFiles(level); }
  int Level0Runs() const { return current_->Level0Runs(); }

 private:
  class Builder;

  Status WriteSnapshot(log::Writer* log);
  void AppendVersion(std::shared_ptr<const Version> v);

  // Constant after construction.
  const std::string dbname_;
  const Options options_;
  Env* const env_;
  const InternalKeyComparator* const icmp_;

  // Guarded by the DB mutex.
  uint64_t next_file_number_ = 2;
  uint64_t manifest_file_number_ = 0;
  uint64_t log_number_ = 0;
  std::atomic<SequenceNumber> last_sequence_{0};
  std::string compaction_filter_name_;
  std::shared_ptr<const Version> current_;
  // Every Version handed out, to find the files still in use.
  std::list<std::weak_ptr<const Version>> live_versions_;
  // The MANIFEST being appended to; written only by the caller that set
  // manifest_busy_, with the mutex released.
  std::unique_ptr<WritableFile> descriptor_file_;
  std::unique_ptr<log::Writer> descriptor_log_;
  bool manifest_busy_ = false;
  CondVar manifest_cv_;  // signalled when manifest_busy_ clears
};

}  // namespace shale

#endif  // SHALE_DB_VERSION_SET_H_
