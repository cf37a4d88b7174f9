// shale: a persistent, ordered key-value store (an LSM tree).
//
// #include <shale/db.h> is all a program needs. Keys and values are arbitrary
// byte strings; keys are ordered bytewise (as memcmp, shorter first on a tie).
//
// Thread safety: a DB may be used from any number of threads at once without
// external synchronization. Writers are queued and committed in groups (one
// WAL append and at most one fsync per group).
//
// Errors: no call throws. Every fallible call returns a Status; NotFound is
// the normal answer of Get for an absent key.
#ifndef SHALE_INCLUDE_DB_H_
#define SHALE_INCLUDE_DB_H_

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "shale/cache.h"
#include "shale/env.h"
#include "shale/iterator.h"
#include "shale/options.h"
#include "shale/status.h"
#include "shale/write_batch.h"

namespace shale {

// A consistent, read-only view of the DB at one point in the write order.
// Obtained from DB::GetSnapshot and handed back with DB::ReleaseSnapshot.
class Snapshot {
 protected:
  virtual ~Snapshot() = default;
};

struct CompactRangeOptions {
  // Also rewrite every live value in the range that sits in a value log
  // file holding any garbage, whatever Options::blob_gc_threshold says, so
  // the old files can be deleted. Default: false.
  bool force_vlog_gc = false;
};

class DB {
 public:
  // Opens the DB in directory dir (created if missing and
  // options.create_if_missing), recovering whatever a previous process left:
  // the MANIFEST is replayed, then every WAL newer than the last flush.
  // On success *out owns the DB; on failure *out is reset.
  //
  // Errors: InvalidArgument if the DB is missing and !create_if_missing or
  // exists and error_if_exists; Busy if another DB object (in this or another
  // process) has the directory open; Corruption if files are damaged beyond
  // what recovery tolerates (the message names the file); IOError.
  static Status Open(const Options& options, const std::string& dir,
                     std::unique_ptr<DB>* out);

  DB() = default;
  DB(const DB&) = delete;
  DB& operator=(const DB&) = delete;

  // Closes the DB: waits for background work (a running flush finishes),
  // releases the directory lock. Unsynced writes stay in the OS's hands.
  // REQUIRES: every iterator and snapshot of this DB has been released.
  virtual ~DB() = default;

  // Stores key -> value (expiring at options.expire_at_ms if non-zero).
  virtual Status Put(const WriteOptions& options, std::string_view key,
                     std::string_view value) = 0;

  // Removes key; not an error if it is absent.
  virtual Status Delete(const WriteOptions& options, std::string_view key) = 0;

  // Applies every update of batch atomically: after any crash, all or none.
  // The batch is not modified.
  virtual Status Write(const WriteOptions& options, WriteBatch* batch) = 0;

  // Reads the value of key into *value. NotFound if it is absent, deleted or
  // expired.
  virtual Status Get(const ReadOptions& options, std::string_view key,
                     std::string* value) = 0;

  // Reads many keys at once: for each i, statuses[i] and values[i] are
  // what Get(options, keys[i], &values[i]) would return and store (on a
  // non-OK status values[i] is empty), with every key read at one point
  // of the write order (options.snapshot's, or the latest) and expiry
  // judged by one clock reading. Faster than as many Gets: the memtables and
  // table files are consulted once per batch, and the cache misses of
  // different keys' lookups overlap. Keys may repeat and come in any order;
  // an empty batch does nothing.
  // REQUIRES: values.size() == statuses.size() == keys.size().
  virtual void MultiGet(const ReadOptions& options,
                        std::span<const std::string_view> keys,
                        std::span<std::string> values,
                        std::span<Status> statuses) = 0;

  // An iterator over the whole DB (or options.snapshot). The iterator keeps
  // the files it reads alive; destroy it before the DB.
  virtual std::unique_ptr<Iterator> NewIterator(const ReadOptions& options) = 0;

  // Pins the current state for reads through ReadOptions::snapshot.
  virtual const Snapshot* GetSnapshot() = 0;
  // REQUIRES: snapshot came from this DB's GetSnapshot and is released once.
  virtual void ReleaseSnapshot(const Snapshot* snapshot) = 0;

  // Makes every write acknowledged before the call durable against power
  // loss. It does not wait for writers, nor they for it (with an Env whose
  // files implement WritableFile::SyncFlushed, as the default Env's do). A
  // failure becomes the background error: writes stop until Resume.
  virtual Status SyncWAL() = 0;

  // Writes the memtable to a table file and waits until it is part of the
  // DB and the WALs it made obsolete are removed (or kept for reuse, see
  // Options::recycle_log_file_num).
  virtual Status Flush() = 0;

  // Compacts every key in [*begin, *end] (nullptr: open on that side) down
  // to the last non-empty level, and waits until it is done. Drops what no
  // snapshot can see: overwritten versions, deletions, expired entries.
  virtual Status CompactRange(const std::string_view* begin,
                              const std::string_view* end) {
    return CompactRange(CompactRangeOptions(), begin, end);
  }
  virtual Status CompactRange(const CompactRangeOptions& options,
                              const std::string_view* begin,
                              const std::string_view* end) = 0;

  // Waits until no flush or compaction is pending or running. Returns the
  // background error, if any.
  virtual Status WaitForCompactions() = 0;

  // After a background error (a failed flush, compaction or WAL write: the
  // DB then refuses writes, reads keep working), retries: if the cause is
  // gone (disk space freed, device back), writes are accepted again.
  virtual Status Resume() = 0;

  // Creates dir holding a copy of the DB that DB::Open can open (on this
  // Env, with any options): consistent as of one point in the write order
  // between the call and its return, so every write acknowledged before the
  // call is in it and none begun after it returns. Table and value log
  // files are hard-linked (Env::LinkFile) where the Env can, copied
  // otherwise (another file system): a checkpoint on the same file system
  // takes no space until the source deletes the files; the live WALs are
  // copied up to the checkpoint's last write, and a new MANIFEST written.
  // Writers wait only while the file set is taken (no I/O); flushes,
  // compactions and vlog GC go on meanwhile, and the source keeps every
  // file the checkpoint still needs until it returns. The checkpoint is
  // independent of the source: either may be opened, written or destroyed.
  //
  // Errors: InvalidArgument if dir exists (file or directory) or is empty;
  // the background error, if the DB has one (Resume first); IOError, NoSpace
  // from the copy. On failure dir is removed with whatever was written to
  // it; a crash part-way may leave dir without a CURRENT file, which no
  // Open takes for a DB unless create_if_missing (delete it).
  virtual Status CreateCheckpoint(const std::string& dir) = 0;

  // Machine-readable statistics: counters and gauges by name (the names of
  // GetProperty's "shale.stats", e.g. "user_bytes_written",
  // "level0.files", "block_cache.hits", "write_amp").
  virtual void GetStatsMap(std::map<std::string, double>* stats) = 0;

  // Reads a property into *value; false if the name is unknown.
  //   shale.stats                   human-readable summary
  //   shale.num-files-at-level<N>   table files at level N
  //   shale.total-sst-bytes         bytes of all live table files
  //   shale.live-wal-bytes          bytes of WAL files still needed
  //   shale.mem-bytes               bytes held by memtables
  //   shale.num-immutable-mem-table memtables waiting to be flushed
  //   shale.last-sequence           sequence number of the newest write
  //   shale.num-snapshots           snapshots held
  //   shale.levelstats              per-level files, bytes, score, I/O
  //   shale.write-amp               bytes written to disk / user bytes
  //   shale.compaction-pending      1 if a compaction is due, else 0
  //   shale.block-cache-usage       bytes held by the block cache
  //   shale.vlog-files              live value log files
  //   shale.vlog-bytes              bytes of records in them
  //   shale.vlog-garbage-bytes      of which garbage
  virtual bool GetProperty(std::string_view name, std::string* value) = 0;
};

// Deletes every file of the DB in dir, and dir itself when it ends up empty.
// Fails with Busy if the DB is open.
Status DestroyDB(const std::string& dir, const Options& options);

}  // namespace shale

#endif  // SHALE_INCLUDE_DB_H_
