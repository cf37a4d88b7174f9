// CompactionFilter: lets the application drop or rewrite entries while the
// DB writes them out again, in flushes and compactions.
//
// A filter turns a logical delete of many keys into O(1) work for the caller:
// mark the keys dead somewhere (a collection's metadata, a schema version, a
// TTL rule) and let the filter remove each one the next time a background
// job passes it. Set one in Options::compaction_filter.
//
// When it is called
// - For the newest version of a key in the job's output: the first version
//   of each user key the job reads. Not for deletions, and not for entries
//   whose expiry (WriteOptions::expire_at_ms) has passed: those are turned
//   into deletions first, without asking.
// - Not for a version that a live snapshot may still read: an entry is
//   filtered only if no snapshot existing when the job started is at or
//   above its sequence number. A snapshot taken before the job keeps seeing
//   exactly what it saw. (A snapshot taken while a job runs may see the
//   entry before the job installs its output and not after.)
// - In flushes (Context::is_flush) and compactions, not while DB::Open
//   writes the tables of the WAL it replays, and not in the compactions
//   that only collect a value log's garbage (Options::blob_gc_threshold):
//   a filter that changes values leaves garbage in the logs of the old
//   values, so a collection that asked it would schedule the next one
//   without end. (CompactRange with force_vlog_gc does ask it.)
// - From several background threads at once, one call per entry; a filter
//   must be thread-safe. Calls never hold a lock of the DB, so a filter may
//   call the DB's own read methods (Get, MultiGet, NewIterator, GetSnapshot)
//   to decide. It must not write to the DB, or wait for something that
//   waits for background work (Flush, CompactRange, WaitForCompactions):
//   that would wait for itself.
//
// Decisions
// - kKeep: the entry is written as it is.
// - kRemove: acts as a Delete of the key at the entry's sequence number. No
//   older version of the key, in this job or a deeper level, is visible to
//   reads afterwards; versions that snapshots need stay for them.
// - kChangeValue: the entry keeps its key, sequence number and expiry; its
//   value becomes *new_value, separated into a value log when large, as any
//   value is (Options::min_blob_size).
// A decision is final for that version: the next job that passes the entry
// (if it was kept or changed) asks again, and the answer may differ.
//
// Durability: a job in which the filter removed or changed an entry syncs
// the WAL before it installs its output. Every write the filter could have
// read to decide (a DB::Get sees acknowledged writes only) is then durable
// before its decision is: a power loss never keeps a removal and loses the
// write that justified it (say, the Delete of a collection's metadata whose
// elements the filter dropped). One fsync per such job; none with an Env
// whose files cannot sync beside a writer (WritableFile::SyncFlushed), where
// this does not hold.
//
// Reading values costs: with key-value separation a large value lives in a
// value log, and handing it to Filter means reading it from there. A filter
// that can decide from the key alone should override FilterKey; it is called
// first, and when it decides, no value is read. Its reads and decisions are
// counted in DB::GetStatsMap ("compaction_filter.*") and "shale.stats".
//
// Name() is recorded in the MANIFEST; opening a DB with a filter of another
// name (or none, after one) records the change, so `shale dump` of the
// MANIFEST shows which filters have been at work.
#ifndef SHALE_INCLUDE_COMPACTION_FILTER_H_
#define SHALE_INCLUDE_COMPACTION_FILTER_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace shale {

class CompactionFilter {
 public:
  enum class Decision { kKeep, kRemove, kChangeValue };
  // FilterKey's answer: kUndecided asks for Filter with the value.
  enum class KeyDecision { kUndecided, kKeep, kRemove };

  struct Context {
    int output_level;    // the level the entry is written to (0 for a flush)
    bool is_flush;       // the job writes a memtable out
    bool is_bottommost;  // no older version of any key can exist below
    // Names the job among all of this DB's jobs since it opened (never 0;
    // another DB's jobs may reuse it: a filter shared by several DBs keys
    // its cache by DB too). Whatever the filter learns from the DB holds
    // for the job's entries if keeping them stays safe when it goes stale:
    // it may cache per job.
    uint64_t job_id = 0;
  };

  virtual ~CompactionFilter() = default;

  // Identifies the filter's rules in the MANIFEST. Must not change while the
  // DB is open.
  virtual const char* Name() const = 0;

  // Decides from the key alone, before any value is read. The default asks
  // for the value (kUndecided).
  virtual KeyDecision FilterKey(const Context& ctx, std::string_view user_key) {
    (void)ctx;
    (void)user_key;
    return KeyDecision::kUndecided;
  }

  // Decides with the value (the user value, never a value-log pointer). For
  // kChangeValue, *new_value holds the replacement (it starts empty).
  virtual Decision Filter(const Context& ctx, std::string_view user_key,
                          std::string_view value, std::string* new_value) = 0;
};

}  // namespace shale

#endif  // SHALE_INCLUDE_COMPACTION_FILTER_H_
