// Compaction: one unit of compaction work, as picked by the CompactionPicker.
//
// A compaction merges inputs[0] (files of `level`) with inputs[1] (the files
// of `output_level` they overlap) into new files at output_level. When
// level == output_level (CompactRange at the last level, or value-log GC) it
// rewrites that level's files in place: outputs cover no more than the
// inputs, and tombstones go only where no level below holds the key. Never
// in place at level 0, whose files overlap each other.
// A trivial move relocates one file to output_level by a MANIFEST edit.
// A value-log GC compaction rewrites one file of a level >= 1 in place.
#ifndef SHALE_DB_COMPACTION_H_
#define SHALE_DB_COMPACTION_H_

#include <memory>
#include <string>
#include <vector>

#include "db/dbformat.h"
#include "db/version_edit.h"
#include "db/version_set.h"

namespace shale {

enum class CompactionReason {
  kLevel0FileCount,  // level 0 reached its file-count trigger
  kLevelSize,        // a level grew past its target size
  kManual,           // CompactRange
  kVlogGc,           // a table holds live values of a vlog due for GC
  kSpace,            // idle: upper levels hold too much above the last
};
// The reasons' count: the last one plus one (a new reason goes last).
inline constexpr int kNumCompactionReasons =
    static_cast<int>(CompactionReason::kSpace) + 1;
const char* CompactionReasonName(CompactionReason reason);

// True when the vlog's garbage reached `threshold` of its bytes: its live
// values move to a new vlog as compactions pass their pointers, and the
// picker schedules compactions of the tables holding them. A vlog without
// garbage is never due, so a file GC just wrote cannot be collected again
// at once (even with a threshold of 0).
bool VlogDueForGc(const VlogFileMeta& v, double threshold);

class Compaction {
 public:
  Compaction(const InternalKeyComparator* icmp,
             std::shared_ptr<const Version> input_version, int level,
             int output_level, CompactionReason reason);

  int level() const { return level_; }
  int output_level() const { return output_level_; }
  CompactionReason reason() const { return reason_; }
  void set_reason(CompactionReason reason) { reason_ = reason; }
  const Version* input_version() const { return input_version_.get(); }

  // inputs(0): files of level(); inputs(1): of output_level() (empty when
  // level() == output_level()).
  FileList& inputs(int which) { return inputs_[which]; }
  const FileList& inputs(int which) const { return inputs_[which]; }
  size_t num_input_files() const {
    return inputs_[0].size() + inputs_[1].size();
  }
  uint64_t InputBytes(int which) const;

  // Files of output_level()+1, for cutting outputs that would overlap too
  // much of it.
  FileList& grandparents() { return grandparents_; }

  // One input file, nothing of output_level overlapping, little grandparent
  // overlap: move the file by a MANIFEST edit.
  bool IsTrivialMove(uint64_t max_grandparent_overlap) const;

  // The user-key range [smallest, largest] of all inputs.
  void GetRange(std::string* smallest, std::string* largest) const;

  // True when no level below output_level() holds user_key, so a deletion
  // (or an expired entry) need not be kept to hide anything. Calls must come
  // in increasing user-key order.
  bool IsBaseLevelForKey(std::string_view user_key);

  // True when no level below output_level() holds a key in the inputs'
  // range: no older version of any of their keys can exist below.
  bool IsBottommost() const;

  // True when the output being written should end before internal_key
  // because it already overlaps too many grandparent bytes. Calls must come
  // in increasing order.
  bool ShouldStopBefore(std::string_view internal_key,
                        uint64_t max_grandparent_overlap);

  // Records the removal of every input in *edit.
  void AddInputDeletions(VersionEdit* edit) const;

  // Files of output_level() or any level above, whose numbers compaction
  // must not touch concurrently.
  std::vector<uint64_t> InputFileNumbers() const;

  // Compression, sizes and other output parameters are set by the picker.
  uint64_t max_output_file_size = 0;

 private:
  const InternalKeyComparator* const icmp_;
  const std::shared_ptr<const Version> input_version_;
  const int level_;
  const int output_level_;
  CompactionReason reason_;
  FileList inputs_[2];
  FileList grandparents_;

  // ShouldStopBefore state.
  size_t grandparent_index_ = 0;
  bool seen_key_ = false;
  uint64_t overlapped_bytes_ = 0;
  // IsBaseLevelForKey state: per level, the file index reached so far.
  size_t level_ptrs_[kNumLevels] = {};
};

// The inputs of c merged in internal-key order, read with checksums
// verified and without filling the block cache. c and cache must outlive
// it.
std::unique_ptr<InternalIterator> NewCompactionInputIterator(
    const Compaction& c, const InternalKeyComparator* icmp, TableCache* cache);

}  // namespace shale

#endif  // SHALE_DB_COMPACTION_H_
