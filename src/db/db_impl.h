// DBImpl: the engine behind shale::DB.
//
// The code is split by path: db_impl_open.cc (open, recovery, close),
// db_impl_files.cc (obsolete files, DestroyDB), db_impl_write.cc (group commit,
// WAL, memtable switch), db_impl_read.cc (Get, iterators, snapshots),
// db_impl_flush.cc (the background threads, flushes), db_impl_compaction.cc
// (compactions, CompactRange, the options every flush and compaction job
// shares), db_impl_stats.cc (GetStatsMap, properties; the counters are a
// DBStats, db_stats.h), db_impl_checkpoint.cc (CreateCheckpoint). A flush and a
// compaction both run a CompactionJob (compaction_job.h). docs/impl.md walks
// through each.
#ifndef SHALE_DB_DB_IMPL_H_
#define SHALE_DB_DB_IMPL_H_

#include <atomic>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "db/compaction_job.h"
#include "db/compaction_picker.h"
#include "db/db_stats.h"
#include "db/dbformat.h"
#include "db/log_writer.h"
#include "db/memtable.h"
#include "db/table_cache.h"
#include "db/version_set.h"
#include "shale/db.h"
#include "util/mutex.h"
#include "vlog/vlog_reader.h"

namespace shale {

// A snapshot is the sequence number it pins; the DB keeps them in creation
// order, so the oldest is first.
class SnapshotImpl final : public Snapshot {
 public:
  explicit SnapshotImpl(SequenceNumber seq) : sequence_(seq) {}
  SequenceNumber sequence() const { return sequence_; }

 private:
  ~SnapshotImpl() override = default;
  friend class DBImpl;
  const SequenceNumber sequence_;
};

// Applies batch (whose header carries its first sequence) to mem.
Status InsertBatchIntoMemTable(const WriteBatch& batch, MemTable* mem);

// Everything a read searches, newest first. Immutable once built.
struct ReadView {
  std::shared_ptr<MemTable> mem;
  std::vector<std::shared_ptr<MemTable>> imm;  // newest first
  std::shared_ptr<const Version> version;
};

class DBImpl final : public DB {
 public:
  DBImpl(const Options& options, const std::string& dbname);
  ~DBImpl() override;

  Status Put(const WriteOptions& options, std::string_view key,
             std::string_view value) override;
  Status Delete(const WriteOptions& options, std::string_view key) override;
  Status Write(const WriteOptions& options, WriteBatch* batch) override;
  Status Get(const ReadOptions& options, std::string_view key,
             std::string* value) override;
  void MultiGet(const ReadOptions& options,
                std::span<const std::string_view> keys,
                std::span<std::string> values,
                std::span<Status> statuses) override;
  std::unique_ptr<Iterator> NewIterator(const ReadOptions& options) override;
  const Snapshot* GetSnapshot() override;
  void ReleaseSnapshot(const Snapshot* snapshot) override;
  Status SyncWAL() override;
  Status Flush() override;
  using DB::CompactRange;
  Status CompactRange(const CompactRangeOptions& options,
                      const std::string_view* begin,
                      const std::string_view* end) override;
  Status WaitForCompactions() override;
  Status Resume() override;
  Status CreateCheckpoint(const std::string& dir) override;
  void GetStatsMap(std::map<std::string, double>* stats) override;
  bool GetProperty(std::string_view name, std::string* value) override;

  // Opening (db_impl_open.cc).
  Status Recover();

  // Test hooks.
  int TEST_NumImmutableMemTables();
  // The live vlog files of the current Version, with their garbage counts.
  std::map<uint64_t, VlogFileMeta> TEST_VlogFiles();
  // The table files of the current Version.
  std::set<uint64_t> TEST_CurrentTables();
  // The table files of the current Version as (level, smallest user key,
  // largest user key), by level then key.
  struct TableRange {
    int level;
    std::string smallest, largest;
  };
  std::vector<TableRange> TEST_TableRanges();
  // Per live table: the vlog bytes the MANIFEST says it references.
  std::map<uint64_t, std::map<uint64_t, uint64_t>> TEST_TableVlogRefs();
  // True if the picker would schedule value-log GC.
  bool TEST_NeedsVlogGc();
  // Stops (true) or restarts automatic compactions.
  void TEST_PauseCompactions(bool paused);
  // Stops (true) or restarts flushes; a writer that needs one waits.
  void TEST_PauseFlushes(bool paused);
  // Runs hook in every later CreateCheckpoint after the file set is pinned
  // and before anything is copied (nullptr: none). Not thread-safe against
  // a running checkpoint.
  void TEST_SetCheckpointHook(std::function<void()> hook) {
    checkpoint_hook_ = std::move(hook);
  }

 private:
  struct Writer;
  friend class DB;

  // --- open and recovery (db_impl_open.cc)
  Status NewDB();
  Status RecoverLogFiles(std::vector<uint64_t> logs, SequenceNumber* max_seq)
      REQUIRES(mu_);
  // What recovery has learned from the WALs replayed so far, to find where
  // a power loss cut the sequence of writes (docs/format/wal.md, section 4).
  struct WalReplay {
    // The highest sequence the replayed WALs account for (a WAL's start
    // marker accounts for every sequence below its own).
    std::optional<SequenceNumber> last;
    bool saw_empty = false;  // a replayed WAL held no record at all
    bool stopped = false;    // a gap was found: later WALs are not replayed
    void Cover(SequenceNumber seq) {
      if (!last || seq > *last) last = seq;
    }
  };
  Status RecoverLogFile(uint64_t number, SequenceNumber* max_seq,
                        std::shared_ptr<MemTable>* mem,
                        std::vector<VersionEdit>* edits, WalReplay* replay)
      REQUIRES(mu_);
  // Deletes files no live Version or pending job needs.
  void DeleteObsoleteFiles() REQUIRES(mu_);
  // How an iterator's cleanup reaches its DB: `db` is cleared when the DB
  // closes, so an iterator destroyed after its DB (which db.h forbids, and
  // some callers do anyway) deletes nothing and touches no freed memory.
  struct IteratorPurge {
    Mutex mu;
    DBImpl* db GUARDED_BY(mu) = nullptr;
  };
  // Drops an iterator's hold on its ReadView; deletes the files that made
  // obsolete (see NewIterator).
  static void ReleaseIteratorView(const std::shared_ptr<IteratorPurge>& purge,
                                  std::shared_ptr<const ReadView> view);

  // --- writes (db_impl_write.cc)
  // What a queued writer asks of the leader.
  enum class WriteKind {
    kBatch,
    kSyncOnly,
    kSwitchMemTable,
    kResume,
    kCheckpoint
  };
  struct CheckpointPin;
  Status WriteInternal(const WriteOptions& options, WriteBatch* batch,
                       WriteKind kind, CheckpointPin* pin = nullptr);
  // Leader-only: replaces the WAL by a fresh one (after a WAL error the old
  // one may end in a partial record). The memtable stays. Fails, changing
  // nothing, unless the old WAL syncs first.
  Status ReplaceWal() REQUIRES(mu_);
  // Creates WAL `number` and appends its start marker (an empty batch whose
  // sequence is `next`, the first the WAL may hold). With reuse != 0 it
  // renames obsolete WAL `reuse` to it and writes over it instead, falling
  // back to a new file when that fails. On failure it removes the file, or
  // sets *stray when that fails too (see stray_wals_).
  Status CreateWal(uint64_t number, SequenceNumber next, uint64_t reuse,
                   std::shared_ptr<WritableFile>* file,
                   std::unique_ptr<log::Writer>* log, bool* stray);
  // Options::recycle_log_file_num, or 0 when reuse is off.
  size_t WalsToRecycle() const;
  // A WAL a memtable switch left behind without syncing (unsynced_wals_).
  struct ClosedWal {
    uint64_t number;
    std::shared_ptr<WritableFile> file;  // never Closed while shared
  };
  // The WALs a sync must cover besides the active one: the closed, unsynced
  // ones whose memtables are not yet in tables.
  std::vector<ClosedWal> ClosedWalsToSync() const REQUIRES(mu_);
  // Syncs `closed` (in order), then the directory if sync_dir (the active
  // WAL's name is not yet durable), then `active`. beside_writer: with
  // SyncFlushed, so the leader may append to `active` meanwhile
  // (NotSupported if the Env cannot); else with Sync, by the leader only.
  // Touches nothing mu_ guards, so it may run without it.
  Status SyncWals(const std::vector<ClosedWal>& closed, bool sync_dir,
                  WritableFile* active, bool beside_writer);
  // After the WALs in `synced` synced: they need no sync any more.
  void ForgetSyncedWals(const std::vector<ClosedWal>& synced) REQUIRES(mu_);
  // Leader-only: clears the background error and retries what failed.
  Status ResumeAsLeader() REQUIRES(mu_);
  Status MakeRoomForWrite(bool force) REQUIRES(mu_);
  Status SwitchMemTable() REQUIRES(mu_);
  WriteBatch* BuildBatchGroup(Writer** last_writer) REQUIRES(mu_);

  // --- checkpoints (db_impl_checkpoint.cc)
  // What a checkpoint copies, fixed at one point of the write order: the
  // Version (holding it keeps its tables and vlogs), the live WALs (kept by
  // checkpoint_wals_), the active WAL's length, the MANIFEST record.
  struct CheckpointPin {
    std::shared_ptr<const Version> version;
    uint64_t log_number = 0;  // WALs from here on are copied
    uint64_t active_wal = 0;
    uint64_t active_wal_bytes = 0;
    uint64_t manifest_number = 0;
    std::string manifest_record;
  };
  // Leader-only (no group is being written, so the active WAL ends at a
  // record boundary): fills *pin and pins its WALs. Fails with the
  // background error, if any (the WAL may end in a partial record).
  Status PinForCheckpoint(CheckpointPin* pin) REQUIRES(mu_);

  // --- background work (db_impl_flush.cc, db_impl_compaction.cc)
  enum class JobRole { kFlushOnly, kCompactionOnly, kAny };
  void BackgroundThread(JobRole role);
  Status FlushOldestImmutable() REQUIRES(mu_);
  // Writes mem to a new table (or to nothing, when every entry is dropped)
  // through a CompactionJob and records it in *edit: at level 0, or deeper
  // when nothing above overlaps it (not while recovering). Releases mu_
  // while writing.
  Status WriteLevel0Table(MemTable* mem, VersionEdit* edit, bool recovering)
      REQUIRES(mu_);
  // True when no table of v overlaps the keys of the memtable mem_iter
  // reads: a flush of it is bottommost.
  static bool IsBottommostFlush(const Version& v, InternalIterator* mem_iter);
  void RecordBackgroundError(const Status& s) REQUIRES(mu_);
  // Runs c (a trivial move or a merge) and installs its result. Output file
  // numbers are added to *outputs when non-null. Releases mu_ while working.
  Status RunCompaction(std::unique_ptr<Compaction> c,
                       std::set<uint64_t>* outputs, bool force_vlog_gc = false)
      REQUIRES(mu_);
  // After a job in which the compaction filter removed or changed entries,
  // before its output is installed: syncs the WAL, so that the writes the
  // filter may have read (DB::Get) to decide are durable before its
  // decisions are (compaction_filter.h, "Durability"). Not with an Env
  // whose files cannot sync beside a writer: the write queue's sync could
  // wait for this very job.
  Status SyncWalForFilter(const CompactionJob::Stats& stats) EXCLUDES(mu_);
  // SyncWAL without the write queue; NotSupported if the Env's files cannot
  // sync beside an appending writer (WritableFile::SyncFlushed).
  Status SyncWalBesideWriters() EXCLUDES(mu_);
  // What every flush and compaction job shares: the snapshots, the filter,
  // the vlog options, file numbers kept in pending_outputs_ while in use.
  CompactionJob::Options NewJobOptions(int output_level, bool is_flush)
      REQUIRES(mu_);
  void RecordJobStats(const CompactionJob::Stats& stats);
  // True while flush or compaction work is due or running.
  bool BackgroundWorkPending() REQUIRES(mu_);

  // --- reads (db_impl_read.cc)
  // Rebuilds read_view_ after mem_, imm_ or the Version changed.
  void InstallReadView() REQUIRES(mu_);
  std::shared_ptr<const ReadView> GetReadView() EXCLUDES(mu_);
  SequenceNumber ReadSequence(const ReadOptions& options) const;
  // Get's answer from what the tables said about key (r: Version::Get's
  // out-parameters and OK status): the value, read from its value log if
  // it is separated, or NotFound for a deletion, an expired entry or no
  // entry. *value holds the table's value on entry.
  Status ResolveTableValue(const VersionGetRequest& r, uint64_t now_ms,
                           std::string_view key, std::string* value);
  uint64_t MemBytes() const REQUIRES(mu_);
  // Everything GetStatsMap reports but the WAL file sizes (db_impl_stats.cc).
  void CollectStats(std::map<std::string, double>* m) REQUIRES(mu_);
  // Block cache and table read counters.
  void AddCacheStats(std::map<std::string, double>* m) REQUIRES(mu_);
  // Bytes of the WAL files from the log number on (live) and of those kept
  // for reuse (recycled_wals_). Lists the directory, so it takes mu_ only
  // to read the two.
  struct WalFileBytes {
    uint64_t live = 0;
    uint64_t kept = 0;
  };
  WalFileBytes WalBytes() EXCLUDES(mu_);
  uint64_t NowMillis() const { return env_->NowUnixMillis(); }
  std::shared_ptr<MemTable> NewMemTable() const {
    return std::make_shared<MemTable>(
        internal_comparator_,
        std::min<size_t>(64 * 1024, options_.write_buffer_size / 8),
        arena_pool_);
  }
  // Table options for files written at `level` (compression is per level).
  TableOptions TableOptionsFor(int level) const;

  // Constant after construction.
  Env* const env_;
  const InternalKeyComparator internal_comparator_;
  const Options options_;
  const std::string dbname_;
  std::shared_ptr<Cache> block_cache_;  // nullptr: no block caching
  // The huge-page regions of flushed memtables, for the next ones (at most
  // one write buffer's worth). Shared: a memtable an iterator holds may
  // outlive the DB.
  const std::shared_ptr<ArenaRegionPool> arena_pool_;
  TableReadStats table_stats_;
  std::unique_ptr<TableCache> table_cache_;
  std::unique_ptr<VlogReader> vlog_reader_;

  mutable Mutex mu_;
  std::unique_ptr<FileLock> db_lock_;
  // The pointer is set at construction and reset only by the destructor;
  // VersionSet's own methods say which need mu_ (LastSequence does not).
  std::unique_ptr<VersionSet> versions_;

  // The active memtable and those waiting to be flushed (oldest first).
  std::shared_ptr<MemTable> mem_ GUARDED_BY(mu_);
  std::deque<std::shared_ptr<MemTable>> imm_ GUARDED_BY(mu_);
  // What a read searches, rebuilt whenever mem_, imm_ or the current
  // Version change. Readers copy the pointer under mu_ and search without
  // it.
  std::shared_ptr<const ReadView> read_view_ GUARDED_BY(mu_);

  // The WAL the active memtable's writes go to. Appended to only by the
  // leader of the current write group, without mu_ (the queue serializes).
  // Shared with a running SyncWAL, which syncs it without the queue.
  std::shared_ptr<WritableFile> logfile_;
  std::unique_ptr<log::Writer> log_;
  uint64_t logfile_number_ GUARDED_BY(mu_) = 0;
  // Whether a SyncDir has run since the active WAL was created (a sync write
  // is not durable until the WAL's name is).
  bool logfile_dir_synced_ GUARDED_BY(mu_) = false;
  // The last sequence of the last group the WAL accepted; the next WAL's
  // start marker carries it plus one. Unlike LastSequence, it skips the
  // numbers a failed group burned.
  SequenceNumber logged_sequence_ GUARDED_BY(mu_) = 0;
  // WALs a memtable switch left behind without syncing, oldest first. A sync
  // (sync write, SyncWAL, Resume, close) syncs them all before the active
  // WAL, so it vouches for every earlier write; recovery stops at the first
  // WAL whose predecessor lost writes. A syncer copies the shared pointers
  // under mu_ and syncs without it; DeleteObsoleteFiles drops (and closes)
  // those whose memtables are in tables.
  std::deque<ClosedWal> unsynced_wals_ GUARDED_BY(mu_);
  // WALs that were created but not given their start marker and could not
  // be removed: recovery would take them for WALs that lost their writes,
  // so no newer WAL may be started until they are gone (ReplaceWal).
  std::vector<uint64_t> stray_wals_ GUARDED_BY(mu_);
  // Obsolete WALs kept for reuse by the next memtable switches, oldest
  // first (Options::recycle_log_file_num). Only WALs this DB wrote (numbers
  // from first_own_wal_ on), so every one is in the framing that carries its
  // number. DeleteObsoleteFiles keeps them, and wal_being_reused_, the one a
  // switch is renaming without mu_.
  std::deque<uint64_t> recycled_wals_ GUARDED_BY(mu_);
  uint64_t first_own_wal_ GUARDED_BY(mu_) = UINT64_MAX;
  uint64_t wal_being_reused_ GUARDED_BY(mu_) = 0;

  // Writers waiting to commit; the front one leads the next group.
  std::deque<Writer*> writers_ GUARDED_BY(mu_);
  WriteBatch group_batch_ GUARDED_BY(mu_);  // scratch for combined groups

  std::list<SnapshotImpl*> snapshots_ GUARDED_BY(mu_);

  // Files being written by a job: never deleted as obsolete.
  std::set<uint64_t> pending_outputs_ GUARDED_BY(mu_);
  // The last job's CompactionFilter::Context::job_id.
  std::atomic<uint64_t> last_job_id_{0};
  // The log numbers of running checkpoints: WALs from the smallest on are
  // neither deleted nor recycled (their tables and vlogs are kept by the
  // Versions the checkpoints hold).
  std::multiset<uint64_t> checkpoint_wals_ GUARDED_BY(mu_);
  // Tests: run by CreateCheckpoint between pinning and copying.
  std::function<void()> checkpoint_hook_;

  // Background work.
  CondVar bg_cv_;  // signalled on new work, finished work, shutdown
  std::vector<std::thread> bg_threads_;
  const std::shared_ptr<IteratorPurge> iterator_purge_ =
      std::make_shared<IteratorPurge>();
  // Read without mu_ by running compactions, to stop early.
  std::atomic<bool> shutting_down_{false};
  bool flush_running_ GUARDED_BY(mu_) = false;
  Status bg_error_ GUARDED_BY(mu_);
  CompactionPicker picker_ GUARDED_BY(mu_);
  RunningCompactions running_ GUARDED_BY(mu_);
  int manual_compactions_ GUARDED_BY(mu_) = 0;
  bool compactions_paused_ GUARDED_BY(mu_) = false;  // tests only
  bool flushes_paused_ GUARDED_BY(mu_) = false;      // tests only

  // Per-level compaction statistics (by output level).
  struct LevelStats {
    uint64_t compactions = 0;
    uint64_t bytes_read = 0;     // input bytes, both levels
    uint64_t bytes_written = 0;  // output bytes
    uint64_t micros = 0;
    uint64_t moved_files = 0;  // trivial moves into this level
  };
  LevelStats level_stats_[kNumLevels] GUARDED_BY(mu_);

  DBStats stats_;  // the counters: db_stats.h
};

}  // namespace shale

#endif  // SHALE_DB_DB_IMPL_H_
