// The picker on crafted versions: scores, file choice, rotation, trivial
// moves, output cuts, push-down of flushed tables, conflicts with running
// compactions, and value-log GC.
#include "db/compaction_picker.h"

#include <gtest/gtest.h>

namespace shale {
namespace {

class PickerTest : public testing::Test {
 protected:
  PickerTest() {
    options_.level0_file_num_compaction_trigger = 4;
    options_.max_bytes_for_level_base = 10000;
    options_.max_bytes_for_level_multiplier = 10;
    options_.target_file_size = 1000;
    options_.max_mem_compact_level = 2;
    Reset();
  }
  void Reset() {
    version_ = std::make_shared<Version>(&icmp_);
    picker_ = std::make_unique<CompactionPicker>(&icmp_, options_);
  }
  // Adds a file [smallest, largest] (user keys) of `size` bytes, pointing
  // into vlogs as `refs` says.
  void Add(int level, uint64_t number, const std::string& smallest,
           const std::string& largest, uint64_t size,
           std::map<uint64_t, uint64_t> refs = {},
           SequenceNumber smallest_seq = 0, SequenceNumber largest_seq = 0) {
    auto f = std::make_shared<FileMetaData>();
    f->number = number;
    f->file_size = size;
    f->vlog_refs = std::move(refs);
    f->smallest_seq = smallest_seq;
    f->largest_seq = largest_seq;
    AppendInternalKey(&f->smallest, smallest, 100, kTypeValue);
    AppendInternalKey(&f->largest, largest, 100, kTypeValue);
    version_->TEST_AddFile(level, std::move(f));
  }
  static std::vector<uint64_t> Numbers(const FileList& files) {
    std::vector<uint64_t> n;
    for (const auto& f : files) n.push_back(f->number);
    return n;
  }

  InternalKeyComparator icmp_{BytewiseComparator()};
  Options options_;
  std::shared_ptr<Version> version_;
  std::unique_ptr<CompactionPicker> picker_;
  RunningCompactions running_;
};

TEST_F(PickerTest, NothingDueOnASmallTree) {
  Add(0, 1, "a", "c", 100);
  Add(1, 2, "a", "z", 5000);
  EXPECT_FALSE(picker_->NeedsCompaction(*version_));
  EXPECT_EQ(picker_->PickCompaction(version_, running_), nullptr);
}

TEST_F(PickerTest, Level0TriggerCompactsAllOfLevel0WithOverlappingLevel1) {
  Add(0, 10, "c", "e", 100);
  Add(0, 11, "a", "b", 100);
  Add(0, 12, "d", "f", 100);
  Add(0, 13, "e", "g", 100);
  Add(1, 1, "a", "a", 500);  // overlaps (via file 11)
  Add(1, 2, "f", "h", 500);  // overlaps
  Add(1, 3, "x", "y", 500);  // outside
  double scores[kNumLevels];
  picker_->ComputeScores(*version_, scores);
  EXPECT_DOUBLE_EQ(scores[0], 1.0);
  auto c = picker_->PickCompaction(version_, running_);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->level(), 0);
  EXPECT_EQ(c->output_level(), 1);
  EXPECT_EQ(c->reason(), CompactionReason::kLevel0FileCount);
  EXPECT_EQ(Numbers(c->inputs(0)), (std::vector<uint64_t>{10, 11, 12, 13}));
  EXPECT_EQ(Numbers(c->inputs(1)), (std::vector<uint64_t>{1, 2}));
}

TEST_F(PickerTest, Level0CountsAFlushCutInPiecesOnce) {
  // Two flushes, each cut by key kind into two tables whose sequence
  // ranges overlap (one memtable's writes interleave the kinds).
  Add(0, 10, "m1", "m9", 100, {}, 1, 10);
  Add(0, 11, "x1", "x9", 100, {}, 2, 9);
  Add(0, 12, "m1", "m9", 100, {}, 11, 20);
  Add(0, 13, "x1", "x9", 100, {}, 12, 18);
  EXPECT_EQ(version_->NumFiles(0), 4);
  EXPECT_EQ(version_->Level0Runs(), 2);
  EXPECT_FALSE(picker_->NeedsCompaction(*version_));
  // A range that only touches the one before it is another memtable's.
  Add(0, 14, "m1", "m9", 100, {}, 21, 30);
  EXPECT_EQ(version_->Level0Runs(), 3);
  // A file without a sequence range (as crafted here) is a run of its own.
  Add(0, 15, "a", "b", 100);
  EXPECT_EQ(version_->Level0Runs(), 4);
  EXPECT_TRUE(picker_->NeedsCompaction(*version_));
}

TEST_F(PickerTest, HighestScoreWins) {
  for (uint64_t i = 0; i < 4; i++) Add(0, 100 + i, "a", "b", 10);  // score 1
  Add(1, 1, "m", "n", 30000);                                      // score 3
  auto c = picker_->PickCompaction(version_, running_);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->level(), 1);
}

TEST_F(PickerTest, LevelNPicksLeastOverlapPerByte) {
  // Level 1 is over its 10000-byte target.
  Add(1, 1, "a", "c", 4000);  // overlaps 6000 below: ratio 1.5
  Add(1, 2, "d", "f", 4000);  // overlaps 400: ratio 0.1
  Add(1, 3, "g", "i", 4000);  // overlaps 4000: ratio 1
  Add(2, 20, "a", "b", 6000);
  Add(2, 21, "e", "e", 400);
  Add(2, 22, "h", "h", 4000);
  auto c = picker_->PickCompaction(version_, running_);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->level(), 1);
  EXPECT_EQ(Numbers(c->inputs(0)), std::vector<uint64_t>{2});
  EXPECT_EQ(Numbers(c->inputs(1)), std::vector<uint64_t>{21});
  EXPECT_EQ(c->max_output_file_size, options_.target_file_size);
}

TEST_F(PickerTest, CompactPointerRotatesThroughTheLevel) {
  // Equal costs everywhere: successive picks walk the key space in order
  // and wrap around.
  for (uint64_t i = 0; i < 5; i++) {
    std::string k(1, static_cast<char>('a' + 2 * i));
    Add(1, i + 1, k, k, 4000);
  }
  std::vector<uint64_t> picked;
  for (int round = 0; round < 7; round++) {
    auto c = picker_->PickCompaction(version_, running_);
    ASSERT_NE(c, nullptr);
    picked.push_back(c->inputs(0)[0]->number);
  }
  EXPECT_EQ(picked, (std::vector<uint64_t>{1, 2, 3, 4, 5, 1, 2}));
}

TEST_F(PickerTest, TrivialMoveOnlyWithoutOverlapBelow) {
  Add(1, 1, "a", "c", 20000);
  Add(2, 2, "x", "z", 100);
  auto c = picker_->PickCompaction(version_, running_);
  ASSERT_NE(c, nullptr);
  EXPECT_TRUE(c->inputs(1).empty());
  EXPECT_TRUE(c->IsTrivialMove(picker_->MaxGrandparentOverlapBytes()));

  Reset();
  Add(1, 1, "a", "c", 20000);
  Add(2, 2, "b", "z", 100);
  c = picker_->PickCompaction(version_, running_);
  ASSERT_NE(c, nullptr);
  EXPECT_FALSE(c->IsTrivialMove(picker_->MaxGrandparentOverlapBytes()));

  // Too much overlap two levels down: a move would make a later compaction
  // expensive, so the file is rewritten (and cut) instead.
  Reset();
  Add(1, 1, "a", "z", 20000);
  Add(3, 5, "b", "y", 11 * options_.target_file_size);
  c = picker_->PickCompaction(version_, running_);
  ASSERT_NE(c, nullptr);
  EXPECT_TRUE(c->inputs(1).empty());
  EXPECT_FALSE(c->IsTrivialMove(picker_->MaxGrandparentOverlapBytes()));
}

TEST_F(PickerTest, OutputsAreCutWhereGrandparentOverlapGrows) {
  Add(1, 1, "a", "z", 20000);
  // Grandparents (level 3) of 600 bytes each at b, d, f, h.
  Add(3, 30, "b", "b", 600);
  Add(3, 31, "d", "d", 600);
  Add(3, 32, "f", "f", 600);
  Add(3, 33, "h", "h", 600);
  Add(2, 20, "a", "z", 100);
  auto c = picker_->PickCompaction(version_, running_);
  ASSERT_NE(c, nullptr);
  ASSERT_EQ(c->grandparents().size(), 4u);
  // With a 1000-byte limit: the cut comes once more than 1000 bytes of
  // grandparents lie between the output's first key and the next key.
  auto key = [](const std::string& k) {
    std::string ik;
    AppendInternalKey(&ik, k, 1, kTypeValue);
    return ik;
  };
  EXPECT_FALSE(c->ShouldStopBefore(key("a"), 1000));
  EXPECT_FALSE(c->ShouldStopBefore(key("c"), 1000));  // 600 passed
  EXPECT_TRUE(c->ShouldStopBefore(key("e"), 1000));   // 1200 passed: cut
  EXPECT_FALSE(c->ShouldStopBefore(key("g"), 1000));  // restarted: 600
  EXPECT_TRUE(c->ShouldStopBefore(key("i"), 1000));
}

TEST_F(PickerTest, FlushedTablePushedDownWhileNothingOverlaps) {
  EXPECT_EQ(picker_->PickLevelForFlush(*version_, "k", "m", running_), 2);
  Add(2, 5, "l", "l", 100);
  EXPECT_EQ(picker_->PickLevelForFlush(*version_, "k", "m", running_), 1);
  Add(1, 6, "a", "k", 100);
  EXPECT_EQ(picker_->PickLevelForFlush(*version_, "k", "m", running_), 0);
  EXPECT_EQ(picker_->PickLevelForFlush(*version_, "x", "y", running_), 2);
  Add(0, 7, "w", "x", 100);
  EXPECT_EQ(picker_->PickLevelForFlush(*version_, "x", "y", running_), 0);

  options_.max_mem_compact_level = 0;
  Reset();
  EXPECT_EQ(picker_->PickLevelForFlush(*version_, "k", "m", running_), 0);
}

TEST_F(PickerTest, PushDownStopsAboveAHeavyGrandparentRange) {
  Add(3, 9, "a", "z", 11 * options_.target_file_size);
  // Level 2 would have > 10 target files of overlap in level 3.
  EXPECT_EQ(picker_->PickLevelForFlush(*version_, "k", "m", running_), 1);
}

TEST_F(PickerTest, RunningCompactionsBlockConflictingPicks) {
  Add(1, 1, "a", "c", 8000);
  Add(1, 2, "m", "o", 8000);
  Add(2, 20, "a", "b", 100);
  auto first = picker_->PickCompaction(version_, running_);
  ASSERT_NE(first, nullptr);
  running_.Add(*first);
  EXPECT_TRUE(running_.IsBusy(first->inputs(0)[0]->number));
  // The other file is still free and its range does not conflict.
  auto second = picker_->PickCompaction(version_, running_);
  ASSERT_NE(second, nullptr);
  EXPECT_NE(second->inputs(0)[0]->number, first->inputs(0)[0]->number);
  running_.Add(*second);
  EXPECT_EQ(picker_->PickCompaction(version_, running_), nullptr);
  // A flush may not be pushed into a level range being written.
  EXPECT_EQ(picker_->PickLevelForFlush(*version_, "b", "b", running_), 0);
  running_.Remove(*first);
  running_.Remove(*second);
  EXPECT_TRUE(running_.empty());
  // Reservations (flushes on their way below level 0) block compactions
  // writing over them.
  int token;
  running_.Reserve(&token, 2, "a", "z");
  EXPECT_EQ(picker_->PickCompaction(version_, running_), nullptr);
  running_.RemoveReservation(&token);
  EXPECT_NE(picker_->PickCompaction(version_, running_), nullptr);
}

TEST_F(PickerTest, Level0OverlapsWidenTransitively) {
  Add(0, 1, "a", "c", 10);
  Add(0, 2, "c", "f", 10);
  Add(0, 3, "f", "h", 10);
  Add(0, 4, "x", "z", 10);
  FileList out;
  std::string_view b = "a", e = "a";
  picker_->GetOverlappingInputs(*version_, 0, &b, &e, &out);
  EXPECT_EQ(Numbers(out), (std::vector<uint64_t>{1, 2, 3}));
  picker_->GetOverlappingInputs(*version_, 0, nullptr, nullptr, &out);
  EXPECT_EQ(out.size(), 4u);
}

TEST_F(PickerTest, RangeCompactionInPlaceAtTheLastLevel) {
  Add(2, 1, "a", "c", 100);
  Add(2, 2, "d", "f", 100);
  std::string_view b = "b", e = "d";
  bool busy = false;
  auto c =
      picker_->PickRangeCompaction(version_, 2, &b, &e, true, running_, &busy);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->output_level(), 2);
  EXPECT_EQ(Numbers(c->inputs(0)), (std::vector<uint64_t>{1, 2}));
  EXPECT_TRUE(c->inputs(1).empty());
  EXPECT_FALSE(c->IsTrivialMove(picker_->MaxGrandparentOverlapBytes()));
  running_.Add(*c);
  EXPECT_EQ(
      picker_->PickRangeCompaction(version_, 2, &b, &e, true, running_, &busy),
      nullptr);
  EXPECT_TRUE(busy);
}

// A vlog whose garbage reached the threshold: when no level is due, the
// level >= 1 table referencing most of its bytes is rewritten in place.
TEST_F(PickerTest, VlogDueForGcRewritesTheTableHoldingMostOfItInPlace) {
  // Vlog 50: half garbage (due at the default 0.5); 51: a tenth (not due).
  version_->TEST_AddVlog({50, 10, 10000, 5000});
  version_->TEST_AddVlog({51, 10, 10000, 1000});
  Add(1, 1, "a", "c", 100, {{50, 1000}, {51, 4000}});
  Add(1, 2, "d", "f", 100, {{50, 4000}});
  Add(2, 3, "a", "z", 100, {{51, 5000}});
  EXPECT_TRUE(picker_->NeedsVlogGc(*version_));
  EXPECT_TRUE(picker_->NeedsCompaction(*version_));
  auto c = picker_->PickCompaction(version_, running_);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->reason(), CompactionReason::kVlogGc);
  EXPECT_EQ(c->level(), 1);
  EXPECT_EQ(c->output_level(), 1);
  EXPECT_EQ(Numbers(c->inputs(0)), (std::vector<uint64_t>{2}));
  EXPECT_TRUE(c->inputs(1).empty());
  // While file 2 is being rewritten, the next pick is file 1.
  running_.Add(*c);
  auto next = picker_->PickCompaction(version_, running_);
  ASSERT_NE(next, nullptr);
  EXPECT_EQ(Numbers(next->inputs(0)), (std::vector<uint64_t>{1}));
  running_.Remove(*c);
}

TEST_F(PickerTest, VlogGcWaitsForGarbageAndForLevelCompactions) {
  // No garbage: never due, even with a threshold of 0.
  options_.blob_gc_threshold = 0;
  Reset();
  version_->TEST_AddVlog({50, 10, 10000, 0});
  Add(1, 1, "a", "c", 100, {{50, 5000}});  // logical 5100: level 1 not due
  EXPECT_FALSE(picker_->NeedsVlogGc(*version_));
  EXPECT_EQ(picker_->PickCompaction(version_, running_), nullptr);
  // Due, but a level over its target goes first.
  version_->TEST_AddVlog({50, 10, 10000, 1});
  EXPECT_TRUE(picker_->NeedsVlogGc(*version_));
  Add(2, 2, "m", "n", 200000);
  auto c = picker_->PickCompaction(version_, running_);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->reason(), CompactionReason::kLevelSize);
}

// Only level-0 tables reference the due vlog: level 0 is compacted as a
// whole (files there overlap, so none is rewritten alone).
TEST_F(PickerTest, VlogGcOfLevel0TablesCompactsLevel0) {
  version_->TEST_AddVlog({50, 10, 10000, 9000});
  Add(0, 10, "a", "c", 100, {{50, 1000}});
  Add(0, 11, "b", "d", 100);
  Add(1, 1, "c", "e", 100);
  auto c = picker_->PickCompaction(version_, running_);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->reason(), CompactionReason::kVlogGc);
  EXPECT_EQ(c->level(), 0);
  EXPECT_EQ(c->output_level(), 1);
  EXPECT_EQ(Numbers(c->inputs(0)), (std::vector<uint64_t>{10, 11}));
  EXPECT_EQ(Numbers(c->inputs(1)), (std::vector<uint64_t>{1}));
}

}  // namespace
}  // namespace shale
