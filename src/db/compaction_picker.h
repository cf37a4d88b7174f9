// CompactionPicker: decides what to compact next (leveled compaction).
//
// Scores: level 0 scores its file count over
// level0_file_num_compaction_trigger; level n >= 1 its bytes over its target,
// max_bytes_for_level_base * max_bytes_for_level_multiplier^(n-1) (static level
// sizing: the targets do not move with the data, which keeps the tree's shape
// predictable and the picker testable; the cost is a higher write amplification
// while the last level is still small). The level with the highest score >= 1
// is compacted.
//
// Within a level n >= 1 the picker looks at up to kCandidateWindow files in
// key order starting after the level's compact pointer (where the previous
// compaction of that level ended, wrapping around), and takes the one whose
// overlap with level n+1 is smallest relative to its own size: the cheapest
// compaction per byte moved down. The pointer then moves past it, so every
// part of the key space is compacted in turn.
//
// Level 0 is compacted whole (all its files, which may overlap) into the
// level-1 files they overlap.
//
// Value-log GC: when no level is due, a vlog whose garbage reached
// blob_gc_threshold (VlogDueForGc) still holds live values that only a
// compaction of the tables pointing at them can move. Each table records
// the bytes it references per vlog (FileMetaData::vlog_refs), so no lookup
// into the tree is needed: the picker rewrites in place the level >= 1
// table referencing the most bytes of due vlogs (its live values there move
// to a new vlog; the old file goes once no table references it). If only
// level-0 tables reference a due vlog, level 0 is compacted as usual.
//
// Space: with separated values the tables are small, so static level
// targets alone would leave old versions in deep levels for a long time,
// and the vlog records they point to could never be counted as garbage.
// Levels are therefore scored by logical bytes (tables plus the vlog bytes
// they reference, FileMetaData::LogicalSize), and when nothing else is due
// the picker moves data down, shallowest level first, while the levels
// above the last non-empty one weigh more than a tenth of it (or level 0
// alone holds two or more files): every key's versions then meet, within
// that bound, in the last level, where the older ones are dropped and their
// values become garbage that GC can reclaim. Such compactions rewrite keys
// and pointers, not separated values.
//
// Concurrency: compactions may run side by side. A compaction is not picked
// if one of its files is already being compacted, or if its output range
// overlaps that of a running compaction into the same level (two outputs
// would overlap). RunningCompactions holds that state; the DB mutex guards it
// and the picker.
#ifndef SHALE_DB_COMPACTION_PICKER_H_
#define SHALE_DB_COMPACTION_PICKER_H_

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "db/compaction.h"
#include "db/version_set.h"
#include "shale/options.h"

namespace shale {

class RunningCompactions {
 public:
  void Add(const Compaction& c);
  void Remove(const Compaction& c);
  // Reserves the user-key range [smallest, largest] of `level` for a file
  // about to be installed there by `owner` (a flush pushed below level 0),
  // so no compaction writes over it in the meantime. Released by
  // RemoveReservation(owner).
  void Reserve(const void* owner, int level, std::string_view smallest,
               std::string_view largest);
  void RemoveReservation(const void* owner);
  bool IsBusy(uint64_t file_number) const {
    return files_.count(file_number) > 0;
  }
  bool AnyBusy(const FileList& files) const;
  // True if a running compaction writes user keys in [smallest, largest]
  // into level.
  bool OutputOverlaps(const Comparator* ucmp, int level,
                      std::string_view smallest_user_key,
                      std::string_view largest_user_key) const;
  bool empty() const { return outputs_.empty(); }
  size_t size() const { return outputs_.size(); }

 private:
  struct Output {
    const void* owner;  // a Compaction, or a reservation's owner
    int level;
    std::string smallest, largest;  // user keys
  };
  std::multiset<uint64_t> files_;
  std::vector<Output> outputs_;
};

class CompactionPicker {
 public:
  static constexpr int kCandidateWindow = 16;

  CompactionPicker(const InternalKeyComparator* icmp, const Options& options);

  // Target bytes of level n >= 1.
  double MaxBytesForLevel(int level) const;
  // Output files overlapping more than this of the level below are cut.
  uint64_t MaxGrandparentOverlapBytes() const {
    return 10 * options_.target_file_size;
  }

  // The score of each level (the last level always scores 0).
  void ComputeScores(const Version& v, double scores[kNumLevels]) const;
  // True if some level scores >= 1, or a table references a vlog due for GC.
  bool NeedsCompaction(const Version& v) const;
  // True if some table references a vlog due for GC.
  bool NeedsVlogGc(const Version& v) const;
  // True if the levels above the last non-empty one weigh more than
  // kMaxUpperLevelsFraction of it (logical bytes), or everything is in two
  // or more level-0 files; only while the DB has vlog files.
  bool NeedsSpaceCompaction(const Version& v) const;

  // The space rule's bound on the logical bytes above the last level.
  static constexpr double kMaxUpperLevelsFraction = 0.1;

  // The next automatic compaction, or nullptr when nothing is due or every
  // due compaction conflicts with a running one.
  std::unique_ptr<Compaction> PickCompaction(
      const std::shared_ptr<const Version>& v,
      const RunningCompactions& running);

  // A manual compaction of the files of `level` overlapping the user-key
  // range [begin, end] (nullptr: unbounded) into level+1, or into `level`
  // itself when `in_place`. nullptr if no file overlaps; *busy is set when
  // files overlap but some are being compacted (retry later).
  std::unique_ptr<Compaction> PickRangeCompaction(
      const std::shared_ptr<const Version>& v, int level,
      const std::string_view* begin, const std::string_view* end, bool in_place,
      const RunningCompactions& running, bool* busy);

  // The level a freshly flushed table with user keys [smallest, largest]
  // goes to: level 0, or deeper (at most max_mem_compact_level) while
  // nothing above overlaps it (the seed's minor compaction).
  int PickLevelForFlush(const Version& v, std::string_view smallest_user_key,
                        std::string_view largest_user_key,
                        const RunningCompactions& running) const;

  // Files of level overlapping the user-key range [begin, end] (nullptr:
  // unbounded). For level 0 the range grows to cover every file it touches,
  // since level-0 files overlap each other.
  void GetOverlappingInputs(const Version& v, int level,
                            const std::string_view* begin,
                            const std::string_view* end, FileList* out) const;

 private:
  std::unique_ptr<Compaction> PickLevel0(
      const std::shared_ptr<const Version>& v,
      const RunningCompactions& running, CompactionReason reason);
  std::unique_ptr<Compaction> PickVlogGc(
      const std::shared_ptr<const Version>& v,
      const RunningCompactions& running);
  // The shallowest non-empty level above the last one when the space rule
  // applies, else -1.
  int SpaceCompactionLevel(const Version& v) const;
  std::unique_ptr<Compaction> PickSpaceCompaction(
      const std::shared_ptr<const Version>& v,
      const RunningCompactions& running);
  // The bytes f references in vlogs due for GC.
  uint64_t DueVlogBytes(const Version& v, const FileMetaData& f) const;
  std::unique_ptr<Compaction> PickLevelN(
      const std::shared_ptr<const Version>& v, int level,
      const RunningCompactions& running);
  // Fills the output-level inputs and grandparents of c from its level
  // inputs; false if they conflict with a running compaction.
  bool SetupOtherInputs(Compaction* c, const RunningCompactions& running) const;

  const InternalKeyComparator* const icmp_;
  const Options options_;
  // Per level: the largest internal key of the last compaction's input.
  std::string compact_pointer_[kNumLevels];
};

}  // namespace shale

#endif  // SHALE_DB_COMPACTION_PICKER_H_
