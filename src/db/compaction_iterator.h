// CompactionIterator: every rule for what a flush or a compaction keeps.
//
// It reads a job's input (internal keys in order: each user key's versions
// newest first) and yields the entries the job writes out, each possibly
// rewritten. For each input entry, in this order:
//
// 1. Hidden versions go. The live snapshots cut the sequence numbers into
//    stripes: (0, s1], (s1, s2], ..., (sn, inf). A reader at a snapshot (or
//    at the tip) sees, per key, only the newest version in or below its
//    stripe; so a version with a newer version of its key in the same
//    stripe is seen by nobody and is dropped.
// 2. An expired value (expiry passed at the job's start) becomes a deletion
//    at its sequence number: every reader, at any snapshot, already takes it
//    for one (db_iter.cc), and it must keep hiding older versions below.
// 3. The compaction filter (shale/compaction_filter.h) is asked about the
//    first version of each user key, when it holds a value and lies above
//    every snapshot: FilterKey, then Filter with the value (read from its
//    vlog if need be). kRemove makes the entry a deletion, as in 2;
//    kChangeValue replaces the value (keeping the expiry).
// 4. A deletion in the oldest stripe goes where no deeper level holds the
//    key (nothing is left for it to hide), with every older version (1).
// 5. Values: a value pointer that stays is kept through the VlogJob (which
//    moves it when its vlog is being collected); one that goes, with its
//    entry or under a deletion, becomes garbage; a value is separated into
//    the job's vlog when the job separates values (flushes) or the filter
//    changed it, and it is large enough.
//
// Thread safety: one thread at a time. The filter may be shared with other
// jobs (it is called without any DB lock).
#ifndef SHALE_DB_COMPACTION_ITERATOR_H_
#define SHALE_DB_COMPACTION_ITERATOR_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "db/dbformat.h"
#include "db/stored_value.h"
#include "shale/compaction_filter.h"
#include "table/internal_iterator.h"
#include "vlog/vlog_job.h"

namespace shale {

class CompactionIterator {
 public:
  struct Options {
    const Comparator* user_comparator = nullptr;
    // Sequence numbers of the snapshots live when the job started, in
    // ascending order.
    std::vector<SequenceNumber> snapshots;
    // Expiry is judged against this time (ms since the Unix epoch).
    uint64_t now_ms = 0;
    // True when no level below the job's output holds user_key (rule 4).
    // Called in increasing key order. Empty: never.
    std::function<bool(std::string_view user_key)> is_base_level_for_key;
    // Rule 3; nullptr: none.
    CompactionFilter* filter = nullptr;
    CompactionFilter::Context filter_context = {0, false, false};
    // Separate every value that ShouldSeparate (flushes), not only the
    // values the filter changed.
    bool separate_values = false;
    // Values and pointers (rule 5). Required.
    VlogJob* vlog = nullptr;
    // Checked before each entry: once true, the iterator stops with an
    // IOError. May be null.
    const std::atomic<bool>* stop = nullptr;
  };

  struct Stats {
    uint64_t dropped = 0;             // entries not written out
    uint64_t expired = 0;             // values turned into deletions (rule 2)
    uint64_t filter_removed = 0;      // entries the filter removed
    uint64_t filter_changed = 0;      // values the filter changed
    uint64_t filter_values_read = 0;  // vlog reads made for the filter
  };

  // input must outlive the iterator.
  CompactionIterator(InternalIterator* input, Options options);
  CompactionIterator(const CompactionIterator&) = delete;
  CompactionIterator& operator=(const CompactionIterator&) = delete;

  void SeekToFirst();
  // False at the end or after an error (see status()).
  bool Valid() const { return valid_; }
  void Next();
  Status status() const;

  // The entry to write out: its internal key, stored value and parsed key.
  // Valid until the next call of Next.
  std::string_view key() const { return key_; }
  std::string_view value() const { return value_; }
  const ParsedInternalKey& ikey() const { return ikey_; }
  // True for the first entry written out of its user key.
  bool first_of_user_key() const { return first_of_user_key_; }
  // For a value pointer (IsBlobIndex(ikey().type)): the pointer.
  const ValuePointer& pointer() const { return pointer_; }

  const Stats& stats() const { return stats_; }

 private:
  // Advances input_ from its current entry to the next one to write out.
  void FindNext();
  // Applies the rules to the input's current entry; sets valid_ when it is
  // written out.
  Status Process(bool first_version, bool hidden);
  // Rule 3 on a value entry (blob: its value lives at ptr). Sets *deletion
  // for kRemove, *changed for kChangeValue (the value is in new_value_).
  Status ApplyFilter(const StoredValue& stored, bool blob,
                     const ValuePointer& ptr, bool* deletion, bool* changed);
  // The stripe (index into snapshots, or snapshots.size() for the tip) of
  // a sequence number.
  size_t Stripe(SequenceNumber seq) const;
  // Sets the output to a deletion of the current user key.
  void EmitDeletion();

  InternalIterator* const input_;
  const Options options_;
  const SequenceNumber earliest_snapshot_;  // kMaxSequenceNumber if none

  Status status_;
  bool valid_ = false;
  Stats stats_;

  // The user key being read and the stripe of its last version read.
  std::string current_user_key_;
  bool has_current_user_key_ = false;
  bool current_key_written_ = false;  // an entry of it was written out
  size_t last_stripe_ = 0;

  // The output entry.
  ParsedInternalKey ikey_;
  std::string_view key_;
  std::string_view value_;
  bool first_of_user_key_ = false;
  ValuePointer pointer_;
  std::string key_buf_;     // a rewritten key (type changed)
  std::string value_buf_;   // a rewritten stored value
  std::string new_value_;   // the filter's replacement value
  std::string read_value_;  // a value read from a vlog for the filter
};

}  // namespace shale

#endif  // SHALE_DB_COMPACTION_ITERATOR_H_
