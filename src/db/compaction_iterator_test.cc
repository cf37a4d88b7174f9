// CompactionIterator without a DB: crafted inputs, the rules' outputs.
#include "db/compaction_iterator.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <vector>

#include "db/compaction_test_util.h"

namespace shale::test {
namespace {

using Decision = CompactionFilter::Decision;
using KeyDecision = CompactionFilter::KeyDecision;

class CompactionIteratorTest : public JobTestBase {
 protected:
  CompactionIteratorTest() : icmp_(BytewiseComparator()) {}

  CompactionIterator::Options Rules() {
    CompactionIterator::Options o;
    o.user_comparator = BytewiseComparator();
    o.now_ms = 1000;
    return o;
  }

  // Runs the rules over input; returns the outputs as EntryText, joined by
  // spaces, and leaves the iterator's stats and status in stats_/status_.
  std::string Run(KVVector input, CompactionIterator::Options rules) {
    VectorIterator in(&icmp_, std::move(input));
    vlog_ = std::make_unique<VlogJob>(vlog_options_);
    rules.vlog = vlog_.get();
    CompactionIterator iter(&in, std::move(rules));
    std::string out;
    for (iter.SeekToFirst(); iter.Valid(); iter.Next()) {
      if (!out.empty()) out += " ";
      out += EntryText(iter.key(), iter.value());
      // The pointer the job records must be the one stored.
      ParsedInternalKey k;
      EXPECT_TRUE(ParseInternalKey(iter.key(), &k));
      EXPECT_EQ(k.type, iter.ikey().type);
      if (IsBlobIndex(k.type)) {
        StoredValue stored;
        ValuePointer ptr;
        EXPECT_TRUE(stored.Parse(k.type, iter.value()));
        EXPECT_TRUE(stored.DecodePointer(&ptr));
        EXPECT_EQ(ptr.file_number, iter.pointer().file_number);
        EXPECT_EQ(ptr.offset, iter.pointer().offset);
      }
    }
    stats_ = iter.stats();
    status_ = iter.status();
    return out;
  }

  uint64_t Garbage(uint64_t vlog) const {
    auto it = vlog_->garbage().find(vlog);
    return it == vlog_->garbage().end() ? 0 : it->second;
  }

  // The value the output pointer text "->file:offset" of key names.
  std::string ReadBack(std::string_view key, uint64_t file, uint64_t offset,
                       uint32_t size) {
    std::string value;
    Status s = reader_.Read({file, offset, size}, key, &value);
    return s.ok() ? value : s.ToString();
  }

  InternalKeyComparator icmp_;
  VlogJob::Options vlog_options_ = VlogOptions();
  std::unique_ptr<VlogJob> vlog_;
  CompactionIterator::Stats stats_;
  Status status_;
};

TEST_F(CompactionIteratorTest, NewestVersionOnlyWithoutSnapshots) {
  std::string out = Run({{IKey("a", 5, kTypeValue), "a5"},
                         {IKey("a", 3, kTypeValue), "a3"},
                         {IKey("a", 1, kTypeDeletion), ""},
                         {IKey("b", 4, kTypeDeletion), ""},
                         {IKey("b", 2, kTypeValue), "b2"},
                         {IKey("c", 6, kTypeValue), "c6"}},
                        Rules());
  ASSERT_TRUE(status_.ok()) << status_.ToString();
  EXPECT_EQ(out, "a@5:VAL=a5 b@4:DEL c@6:VAL=c6");
  EXPECT_EQ(stats_.dropped, 3u);
}

TEST_F(CompactionIteratorTest, EachSnapshotKeepsWhatItSees) {
  auto rules = Rules();
  rules.snapshots = {2, 4};
  // Stripes: (0, 2], (2, 4], (4, inf).
  std::string out = Run({{IKey("a", 5, kTypeValue), "a5"},
                         {IKey("a", 4, kTypeValue), "a4"},
                         {IKey("a", 3, kTypeValue), "a3"},
                         {IKey("a", 2, kTypeDeletion), ""},
                         {IKey("a", 1, kTypeValue), "a1"},
                         {IKey("b", 9, kTypeValue), "b9"},
                         {IKey("b", 8, kTypeValue), "b8"}},
                        rules);
  EXPECT_EQ(out, "a@5:VAL=a5 a@4:VAL=a4 a@2:DEL b@9:VAL=b9");
  EXPECT_EQ(stats_.dropped, 3u);
}

TEST_F(CompactionIteratorTest, DeletionsGoOnlyAtTheBaseLevelBelowSnapshots) {
  auto rules = Rules();
  std::vector<std::string> asked;
  rules.is_base_level_for_key = [&](std::string_view k) {
    asked.emplace_back(k);
    return k != "x";
  };
  std::string out = Run({{IKey("a", 3, kTypeDeletion), ""},
                         {IKey("a", 2, kTypeValue), "a2"},
                         {IKey("x", 3, kTypeDeletion), ""},
                         {IKey("x", 1, kTypeValue), "x1"}},
                        rules);
  EXPECT_EQ(out, "x@3:DEL");
  EXPECT_EQ(asked, (std::vector<std::string>{"a", "x"}));

  // Above the oldest snapshot a deletion still hides what that snapshot
  // must not see... and what it sees stays.
  rules.snapshots = {2};
  out = Run({{IKey("b", 3, kTypeDeletion), ""},
             {IKey("b", 1, kTypeValue), "b1"},
             {IKey("c", 2, kTypeDeletion), ""},
             {IKey("c", 1, kTypeValue), "c1"}},
            rules);
  EXPECT_EQ(out, "b@3:DEL b@1:VAL=b1");
}

TEST_F(CompactionIteratorTest, ExpiredValuesBecomeDeletions) {
  auto ptrs = WriteVlog(7, {{"h", "blob-of-h"}});
  auto rules = Rules();
  rules.snapshots = {1};
  std::string out =
      Run({{IKey("e", 5, kTypeValueWithExpiry), Stored("e5", 500)},
           {IKey("f", 5, kTypeValueWithExpiry), Stored("f5", 2000)},
           {IKey("g", 5, kTypeValueWithExpiry), Stored("g5", 1000)},
           {IKey("g", 1, kTypeValue), "g1"},
           {IKey("h", 5, kTypeBlobIndexWithExpiry), Stored(ptrs[0], 999)}},
          rules);
  EXPECT_EQ(out, "e@5:DEL f@5:VAL+exp=f5 g@5:DEL g@1:VAL=g1 h@5:DEL");
  EXPECT_EQ(stats_.expired, 3u);
  EXPECT_EQ(Garbage(7), kVlogRecordHeaderSize + 1 + 9);
}

TEST_F(CompactionIteratorTest, DroppedPointersBecomeGarbageKeptOnesMove) {
  auto ptrs = WriteVlog(7, {{"k1", "k1-new-value"},
                            {"k1", "k1-old"},
                            {"k2", "k2-value"},
                            {"k3", "k3-value-xyz"}});
  KVVector input = {
      {IKey("k1", 3, kTypeBlobIndex), ptrs[0]},
      {IKey("k1", 2, kTypeBlobIndex), ptrs[1]},
      {IKey("k2", 3, kTypeDeletion), ""},
      {IKey("k2", 1, kTypeBlobIndex), ptrs[2]},
      {IKey("k3", 3, kTypeBlobIndexWithExpiry), Stored(ptrs[3], 5000)}};
  const uint64_t old_k1 = kVlogRecordHeaderSize + 2 + 6;
  const uint64_t k2 = kVlogRecordHeaderSize + 2 + 8;
  std::string out = Run(input, Rules());
  EXPECT_EQ(out, "k1@3:BLOB=->7:16 k2@3:DEL k3@3:BLOB+exp=->7:84");
  EXPECT_EQ(Garbage(7), old_k1 + k2);
  EXPECT_EQ(vlog_->values_moved(), 0u);

  // Collecting vlog 7: what stays moves to the job's vlog (number 100).
  vlog_options_.collect = {7};
  out = Run(input, Rules());
  EXPECT_EQ(out, "k1@3:BLOB=->100:16 k2@3:DEL k3@3:BLOB+exp=->100:42");
  EXPECT_EQ(vlog_->values_moved(), 2u);
  EXPECT_EQ(Garbage(7), old_k1 + k2 + 2 * (kVlogRecordHeaderSize + 2 + 12));
  ASSERT_TRUE(vlog_->Finish().ok());
  EXPECT_EQ(ReadBack("k1", 100, 16, 12), "k1-new-value");
  EXPECT_EQ(ReadBack("k3", 100, 42, 12), "k3-value-xyz");
}

TEST_F(CompactionIteratorTest, FlushesSeparateLargeValues) {
  auto rules = Rules();
  rules.separate_values = true;
  std::string out =
      Run({{IKey("a", 1, kTypeValue), "short"},
           {IKey("b", 2, kTypeValue), "a long value"},
           {IKey("c", 3, kTypeValueWithExpiry), Stored("expiring value", 2000)},
           {IKey("d", 4, kTypeValueWithExpiry), Stored("short", 2000)}},
          rules);
  EXPECT_EQ(out,
            "a@1:VAL=short b@2:BLOB=->100:16 c@3:BLOB+exp=->100:41 "
            "d@4:VAL+exp=short");
  ASSERT_TRUE(vlog_->Finish().ok());
  EXPECT_EQ(vlog_->output()->records(), 2u);
  EXPECT_EQ(ReadBack("c", 100, 41, 14), "expiring value");

  // Compactions do not (without a filter's change).
  rules.separate_values = false;
  out = Run({{IKey("b", 2, kTypeValue), "a long value"}}, rules);
  EXPECT_EQ(out, "b@2:VAL=a long value");
  EXPECT_EQ(vlog_->output(), nullptr);
}

TEST_F(CompactionIteratorTest, FilterSeesNewestVersionsAboveEverySnapshot) {
  ScriptedFilter filter;
  auto rules = Rules();
  rules.snapshots = {3};
  rules.filter = &filter;
  rules.filter_context = {4, false, true};
  std::string out =
      Run({{IKey("a", 5, kTypeValue), "a5"},
           {IKey("a", 2, kTypeValue), "a2"},
           {IKey("b", 2, kTypeValue), "b2"},  // a snapshot sees it
           {IKey("c", 4, kTypeDeletion), ""},
           {IKey("c", 1, kTypeValue), "c1"},
           {IKey("d", 6, kTypeValueWithExpiry), Stored("d6", 999)},
           {IKey("e", 7, kTypeValueWithExpiry), Stored("e7", 9999)}},
          rules);
  EXPECT_EQ(out,
            "a@5:VAL=a5 a@2:VAL=a2 b@2:VAL=b2 c@4:DEL c@1:VAL=c1 d@6:DEL "
            "e@7:VAL+exp=e7");
  EXPECT_EQ(filter.key_calls, (std::vector<std::string>{"a", "e"}));
  EXPECT_EQ(filter.value_calls, (std::vector<std::string>{"a=a5", "e=e7"}));
  ASSERT_EQ(filter.contexts.size(), 2u);
  EXPECT_EQ(filter.contexts[0].output_level, 4);
  EXPECT_FALSE(filter.contexts[0].is_flush);
  EXPECT_TRUE(filter.contexts[0].is_bottommost);
}

TEST_F(CompactionIteratorTest, FilterRemoveIsADeletionAtThatVersion) {
  ScriptedFilter filter;
  filter.decisions["a"] = Decision::kRemove;
  filter.key_decisions["b"] = KeyDecision::kRemove;
  auto rules = Rules();
  rules.filter = &filter;
  KVVector input = {{IKey("a", 5, kTypeValue), "a5"},
                    {IKey("a", 3, kTypeValue), "a3"},
                    {IKey("b", 4, kTypeValue), "b4"},
                    {IKey("c", 4, kTypeValue), "c4"}};
  // A deletion while a deeper level may hold the key ...
  EXPECT_EQ(Run(input, rules), "a@5:DEL b@4:DEL c@4:VAL=c4");
  EXPECT_EQ(stats_.filter_removed, 2u);
  // ... nothing at all at the base level ...
  rules.is_base_level_for_key = [](std::string_view) { return true; };
  EXPECT_EQ(Run(input, rules), "c@4:VAL=c4");
  // ... and what a snapshot sees stays for it.
  rules.snapshots = {3};
  EXPECT_EQ(Run(input, rules), "a@5:DEL a@3:VAL=a3 b@4:DEL c@4:VAL=c4");
}

TEST_F(CompactionIteratorTest, FilterChangesValuesInlineOrSeparated) {
  auto ptrs = WriteVlog(7, {{"b", "blob-value-b"}, {"c", "blob-value-c"}});
  ScriptedFilter filter;
  filter.decisions = {{"a", Decision::kChangeValue},
                      {"b", Decision::kChangeValue},
                      {"c", Decision::kKeep}};
  auto rules = Rules();
  rules.filter = &filter;
  std::string out =
      Run({{IKey("a", 1, kTypeValueWithExpiry), Stored("aa", 5000)},
           {IKey("b", 2, kTypeBlobIndex), ptrs[0]},
           {IKey("c", 3, kTypeBlobIndex), ptrs[1]}},
          rules);
  // "changed:aa" is at the 10-byte threshold: separated; the expiry stays.
  EXPECT_EQ(out, "a@1:BLOB+exp=->100:16 b@2:BLOB=->100:39 c@3:BLOB=->7:41");
  EXPECT_EQ(
      filter.value_calls,
      (std::vector<std::string>{"a=aa", "b=blob-value-b", "c=blob-value-c"}));
  EXPECT_EQ(stats_.filter_changed, 2u);
  EXPECT_EQ(stats_.filter_values_read, 2u);
  EXPECT_EQ(Garbage(7), kVlogRecordHeaderSize + 1 + 12);  // b's old value
  ASSERT_TRUE(vlog_->Finish().ok());
  EXPECT_EQ(ReadBack("b", 100, 39, 20), "changed:blob-value-b");

  // A short replacement of a separated value goes inline.
  filter.replacement = "tiny";
  out = Run({{IKey("b", 2, kTypeBlobIndex), ptrs[0]}}, rules);
  EXPECT_EQ(out, "b@2:VAL=tiny");
  EXPECT_EQ(Garbage(7), kVlogRecordHeaderSize + 1 + 12);
  // Without value separation nothing goes to a vlog.
  vlog_options_.separate = false;
  filter.replacement = "a replacement longer than the threshold";
  out = Run({{IKey("a", 1, kTypeValue), "aa"}}, rules);
  EXPECT_EQ(out, "a@1:VAL=a replacement longer than the threshold");
}

TEST_F(CompactionIteratorTest, KeyOnlyDecisionsReadNoValue) {
  auto ptrs = WriteVlog(7, {{"a", "blob-value-a"}, {"b", "blob-value-b"}});
  ScriptedFilter filter;
  filter.key_decisions = {{"a", KeyDecision::kRemove},
                          {"b", KeyDecision::kKeep}};
  auto rules = Rules();
  rules.filter = &filter;
  std::string out = Run({{IKey("a", 2, kTypeBlobIndex), ptrs[0]},
                         {IKey("b", 2, kTypeBlobIndex), ptrs[1]}},
                        rules);
  EXPECT_EQ(out, "a@2:DEL b@2:BLOB=->7:41");
  EXPECT_TRUE(filter.value_calls.empty());
  EXPECT_EQ(stats_.filter_values_read, 0u);
  EXPECT_EQ(vlog_->values_read(), 0u);
  EXPECT_EQ(Garbage(7), kVlogRecordHeaderSize + 1 + 12);
}

TEST_F(CompactionIteratorTest, DamagedInputStopsWithCorruption) {
  auto rules = Rules();
  Run({{IKey("a", 1, kTypeValue), "a"}, {"short", "x"}}, rules);
  EXPECT_TRUE(status_.IsCorruption()) << status_.ToString();
  Run({{IKey("a", 1, kTypeValueWithExpiry), "1234567"}}, rules);
  EXPECT_TRUE(status_.IsCorruption()) << status_.ToString();
  Run({{IKey("a", 1, kTypeBlobIndex), "\xff"}}, rules);
  EXPECT_TRUE(status_.IsCorruption()) << status_.ToString();
  // A pointer to a value that is not there, when the filter needs it.
  ScriptedFilter filter;
  rules.filter = &filter;
  std::string missing;
  ValuePointer{42, 16, 5}.EncodeTo(&missing);
  Run({{IKey("a", 1, kTypeBlobIndex), missing}}, rules);
  EXPECT_FALSE(status_.ok());
}

TEST_F(CompactionIteratorTest, StopsWhenAskedTo) {
  std::atomic<bool> stop{true};
  auto rules = Rules();
  rules.stop = &stop;
  EXPECT_EQ(Run({{IKey("a", 1, kTypeValue), "a"}}, rules), "");
  EXPECT_TRUE(status_.IsIOError());
}

TEST_F(CompactionIteratorTest, StoredValueRoundTrips) {
  for (bool expiry : {false, true}) {
    StoredValue v{expiry, expiry ? 1234u : 0u, "payload"};
    std::string encoded;
    v.AppendTo(&encoded);
    std::string raw(v.EncodedSize(), '\0');
    EXPECT_EQ(v.EncodeTo(raw.data()), raw.data() + raw.size());
    EXPECT_EQ(raw, encoded);
    StoredValue parsed;
    ASSERT_TRUE(parsed.Parse(ValueTypeFor(false, expiry), encoded));
    EXPECT_EQ(parsed.has_expiry, expiry);
    EXPECT_EQ(parsed.expire_at_ms, v.expire_at_ms);
    EXPECT_EQ(parsed.payload, "payload");
    EXPECT_EQ(parsed.Expired(1234), expiry);
    EXPECT_FALSE(parsed.Expired(1233));
  }
  StoredValue parsed;
  EXPECT_FALSE(parsed.Parse(kTypeBlobIndexWithExpiry, "1234567"));
  EXPECT_TRUE(parsed.Parse(kTypeBlobIndexWithExpiry, "12345678"));
  EXPECT_TRUE(parsed.payload.empty());
}

}  // namespace
}  // namespace shale::test
