#include "db/version_edit.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "util/coding.h"

namespace shale {
namespace {

std::string IKey(std::string_view user_key, SequenceNumber seq,
                 ValueType type = kTypeValue) {
  std::string key;
  AppendInternalKey(&key, user_key, seq, type);
  return key;
}

FileMetaData MakeFile(uint64_t number, uint64_t size, SequenceNumber lo,
                      SequenceNumber hi) {
  FileMetaData f;
  f.number = number;
  f.file_size = size;
  f.smallest = IKey("a\x01key", lo);
  f.largest = IKey("zzz", hi, kTypeDeletion);
  f.smallest_seq = lo;
  f.largest_seq = hi;
  return f;
}

VersionEdit FullEdit() {
  VersionEdit edit;
  edit.SetComparatorName("shale.BytewiseComparator");
  edit.SetLogNumber(uint64_t{1} << 40);
  edit.SetNextFileNumber(123456);
  edit.SetLastSequence(kMaxSequenceNumber);
  for (int level = 0; level < kNumLevels; level++) {
    edit.AddFile(level, MakeFile(1000 + level, 1u << 20, 5, 9 + level));
    edit.RemoveFile(level, 2000 + level);
  }
  edit.RemoveFile(3, 1);
  return edit;
}

std::string Encode(const VersionEdit& edit) {
  std::string s;
  edit.EncodeTo(&s);
  return s;
}

TEST(VersionEditTest, EmptyRoundTrip) {
  VersionEdit edit;
  EXPECT_EQ("", Encode(edit));
  VersionEdit parsed;
  ASSERT_TRUE(parsed.DecodeFrom("").ok());
  EXPECT_FALSE(parsed.has_comparator_name());
  EXPECT_FALSE(parsed.has_log_number());
  EXPECT_FALSE(parsed.has_next_file_number());
  EXPECT_FALSE(parsed.has_last_sequence());
}

TEST(VersionEditTest, RoundTripOfAllFields) {
  const VersionEdit edit = FullEdit();
  const std::string encoded = Encode(edit);
  VersionEdit parsed;
  ASSERT_TRUE(parsed.DecodeFrom(encoded).ok());
  EXPECT_EQ(encoded, Encode(parsed));
  EXPECT_EQ(edit.DebugString(), parsed.DebugString());

  EXPECT_EQ("shale.BytewiseComparator", parsed.comparator_name());
  EXPECT_EQ(uint64_t{1} << 40, parsed.log_number());
  EXPECT_EQ(123456u, parsed.next_file_number());
  EXPECT_EQ(kMaxSequenceNumber, parsed.last_sequence());
  EXPECT_EQ(static_cast<size_t>(kNumLevels) + 1, parsed.deleted_files().size());
  EXPECT_TRUE(parsed.deleted_files().count({3, 1}));
  ASSERT_EQ(static_cast<size_t>(kNumLevels), parsed.new_files().size());
  const auto& [level, f] = parsed.new_files()[6];
  EXPECT_EQ(6, level);
  EXPECT_EQ(1006u, f.number);
  EXPECT_EQ(1u << 20, f.file_size);
  EXPECT_EQ(IKey("a\x01key", 5), f.smallest);
  EXPECT_EQ(IKey("zzz", 15, kTypeDeletion), f.largest);
  EXPECT_EQ(5u, f.smallest_seq);
  EXPECT_EQ(15u, f.largest_seq);
}

TEST(VersionEditTest, DebugString) {
  VersionEdit edit;
  edit.SetLogNumber(7);
  edit.RemoveFile(1, 4);
  edit.AddFile(2, MakeFile(9, 100, 1, 2));
  EXPECT_EQ(
      "VersionEdit {\n"
      "  log_number: 7\n"
      "  remove: level 1 file 4\n"
      "  add: level 2 file 9 size 100 ['a\\x01key' @ 1 : 1 .. 'zzz' @ 2 : 0] "
      "seq [1, 2]\n"
      "}\n",
      edit.DebugString());
}

TEST(VersionEditTest, IgnorableUnknownFieldIsSkipped) {
  VersionEdit edit;
  edit.SetLogNumber(5);
  std::string encoded = Encode(edit);
  // A field from a newer version, then a known one after it.
  PutVarint32(&encoded, VersionEdit::kTagSafeToIgnore | 17);
  PutLengthPrefixed(&encoded, "future payload");
  PutVarint32(&encoded, 300 | VersionEdit::kTagSafeToIgnore);  // 2-byte tag
  PutLengthPrefixed(&encoded, "");
  VersionEdit tail;
  tail.SetNextFileNumber(77);
  tail.EncodeTo(&encoded);

  VersionEdit parsed;
  ASSERT_TRUE(parsed.DecodeFrom(encoded).ok());
  EXPECT_EQ(5u, parsed.log_number());
  EXPECT_EQ(77u, parsed.next_file_number());

  // Its payload must still be complete.
  std::string truncated = Encode(edit);
  PutVarint32(&truncated, VersionEdit::kTagSafeToIgnore | 17);
  PutVarint32(&truncated, 10);
  truncated += "short";
  EXPECT_TRUE(parsed.DecodeFrom(truncated).IsCorruption());
}

TEST(VersionEditTest, UnknownRequiredFieldIsCorruption) {
  for (uint32_t tag : {0u, 10u, 63u, 128u, 1031u}) {
    ASSERT_EQ(0u, tag & VersionEdit::kTagSafeToIgnore);
    std::string encoded = Encode(FullEdit());
    PutVarint32(&encoded, tag);
    PutLengthPrefixed(&encoded, "x");
    VersionEdit parsed;
    Status s = parsed.DecodeFrom(encoded);
    EXPECT_TRUE(s.IsCorruption()) << tag;
    EXPECT_NE(std::string::npos, s.ToString().find(std::to_string(tag)));
  }
}

TEST(VersionEditTest, EveryTruncationIsCorruptionOrAPrefix) {
  const std::string encoded = Encode(FullEdit());
  // Cutting between fields leaves a valid shorter edit; cutting inside one
  // must never decode.
  int valid = 0;
  for (size_t len = 0; len < encoded.size(); len++) {
    VersionEdit parsed;
    Status s = parsed.DecodeFrom(std::string_view(encoded).substr(0, len));
    if (s.ok()) {
      valid++;
      EXPECT_EQ(encoded.substr(0, len), Encode(parsed));
    } else {
      EXPECT_TRUE(s.IsCorruption());
    }
  }
  EXPECT_LE(valid, 4 + 2 * kNumLevels + 1);
}

TEST(VersionEditTest, BadValuesAreCorruption) {
  auto decode = [](const std::string& encoded) {
    VersionEdit parsed;
    return parsed.DecodeFrom(encoded);
  };
  // Level out of range.
  std::string s;
  PutVarint32(&s, 5);  // deleted file
  PutVarint32(&s, kNumLevels);
  PutVarint64(&s, 1);
  EXPECT_TRUE(decode(s).IsCorruption());

  // A new file whose smallest key is not an internal key.
  s.clear();
  PutVarint32(&s, 6);
  PutVarint32(&s, 0);
  PutVarint64(&s, 1);
  PutVarint64(&s, 100);
  PutLengthPrefixed(&s, "short");
  PutLengthPrefixed(&s, IKey("z", 1));
  PutVarint64(&s, 1);
  PutVarint64(&s, 1);
  EXPECT_TRUE(decode(s).IsCorruption());

  // A key length running past the record.
  s.clear();
  PutVarint32(&s, 1);
  PutVarint32(&s, 1000);
  s += "abc";
  EXPECT_TRUE(decode(s).IsCorruption());
}

TEST(EditGroupTest, RoundTrip) {
  VersionEdit a = FullEdit();
  VersionEdit b;  // empty edits are allowed
  VersionEdit c;
  c.SetLastSequence(99);
  std::string record;
  EncodeEditGroup({&a, &b, &c}, &record);

  std::vector<VersionEdit> edits;
  ASSERT_TRUE(DecodeEditGroup(record, &edits).ok());
  ASSERT_EQ(3u, edits.size());
  EXPECT_EQ(Encode(a), Encode(edits[0]));
  EXPECT_EQ("", Encode(edits[1]));
  EXPECT_EQ(99u, edits[2].last_sequence());

  EXPECT_EQ("SEG{", record.substr(0, 4));
  EXPECT_EQ("}SEG", record.substr(record.size() - 4));
}

TEST(EditGroupTest, DamageIsCorruption) {
  VersionEdit a = FullEdit();
  VersionEdit b;
  b.SetLogNumber(4);
  std::string record;
  EncodeEditGroup({&a, &b}, &record);
  std::vector<VersionEdit> edits;

  // Every truncation, including one that drops only the END magic.
  for (size_t len = 0; len < record.size(); len++) {
    EXPECT_TRUE(DecodeEditGroup(record.substr(0, len), &edits).IsCorruption())
        << len;
    EXPECT_TRUE(edits.empty());
  }

  std::string bad = record;
  bad[0] ^= 1;  // BEGIN
  EXPECT_TRUE(DecodeEditGroup(bad, &edits).IsCorruption());
  bad = record;
  bad[record.size() - 1] ^= 1;  // END
  EXPECT_TRUE(DecodeEditGroup(bad, &edits).IsCorruption());
  EXPECT_TRUE(DecodeEditGroup(record + "x", &edits).IsCorruption());

  // Counts that do not match the edits present, and zero.
  for (uint32_t count : {0u, 1u, 3u, 1000000u}) {
    std::string body = record.substr(5);  // after BEGIN and the 1-byte count
    std::string recount;
    PutFixed32(&recount, kEditGroupBegin);
    PutVarint32(&recount, count);
    recount += body;
    EXPECT_TRUE(DecodeEditGroup(recount, &edits).IsCorruption()) << count;
  }
}

}  // namespace
}  // namespace shale

namespace shale {

TEST(VersionEditTest, VlogFieldsRoundTrip) {
  VersionEdit edit;
  edit.AddVlogFile({12, 100, 409600, 0});
  edit.AddVlogFile({13, 5, 5000, 1000});
  edit.AddVlogGarbage(12, 4096);
  edit.AddVlogGarbage(12, 100);  // repeated deltas add up
  edit.RemoveVlogFile(7);
  std::string encoded;
  edit.EncodeTo(&encoded);
  VersionEdit parsed;
  ASSERT_TRUE(parsed.DecodeFrom(encoded).ok());
  ASSERT_EQ(parsed.new_vlog_files().size(), 2u);
  EXPECT_EQ(parsed.new_vlog_files()[1].garbage_bytes, 1000u);
  EXPECT_EQ(parsed.vlog_garbage().at(12), 4196u);
  EXPECT_EQ(parsed.deleted_vlog_files().count(7), 1u);
  // Garbage larger than the file is corrupt.
  VersionEdit bad;
  bad.AddVlogFile({1, 1, 10, 11});
  encoded.clear();
  bad.EncodeTo(&encoded);
  EXPECT_TRUE(parsed.DecodeFrom(encoded).IsCorruption());
}

}  // namespace shale

namespace shale {

TEST(VersionEditTest, TableVlogRefsRoundTrip) {
  VersionEdit edit;
  FileMetaData with_refs = MakeFile(21, 4096, 1, 2);
  with_refs.vlog_refs = {{12, 8192}, {uint64_t{1} << 40, 3}};
  edit.AddFile(1, with_refs);
  edit.AddFile(2, MakeFile(22, 4096, 3, 4));  // inline values only
  std::string encoded;
  edit.EncodeTo(&encoded);
  VersionEdit parsed;
  ASSERT_TRUE(parsed.DecodeFrom(encoded).ok());
  ASSERT_EQ(parsed.new_files().size(), 2u);
  EXPECT_EQ(parsed.new_files()[0].second.vlog_refs, with_refs.vlog_refs);
  EXPECT_TRUE(parsed.new_files()[1].second.vlog_refs.empty());
  std::string again;
  parsed.EncodeTo(&again);
  EXPECT_EQ(again, encoded);
  EXPECT_NE(parsed.DebugString().find("-> vlog 12: 8192 bytes"),
            std::string::npos);
}

// Refs naming a table the edit does not add, and damaged refs, are
// corruption; a reader that did not know the field could still skip it.
TEST(VersionEditTest, TableVlogRefsOfAnUnknownTableAreCorruption) {
  VersionEdit edit;
  FileMetaData f = MakeFile(21, 4096, 1, 2);
  f.vlog_refs = {{12, 8192}};
  edit.AddFile(1, f);
  std::string encoded;
  edit.EncodeTo(&encoded);
  // The refs field is the tail of the encoding, after the new-file field
  // that an edit without refs encodes the same way.
  VersionEdit only_refs;
  std::string without_file;
  only_refs.SetLogNumber(3);
  only_refs.EncodeTo(&without_file);
  std::string file_only;
  VersionEdit plain;
  plain.AddFile(1, MakeFile(21, 4096, 1, 2));
  plain.EncodeTo(&file_only);
  ASSERT_TRUE(encoded.size() > file_only.size());
  const std::string refs_field = encoded.substr(file_only.size());
  VersionEdit parsed;
  EXPECT_TRUE(parsed.DecodeFrom(without_file + refs_field).IsCorruption());
  ASSERT_TRUE(parsed.DecodeFrom(file_only + refs_field).ok());
  EXPECT_EQ(parsed.new_files()[0].second.vlog_refs.at(12), 8192u);
  // Every truncation of the refs field is corruption.
  for (size_t n = 1; n < refs_field.size(); n++) {
    EXPECT_TRUE(
        parsed.DecodeFrom(file_only + refs_field.substr(0, n)).IsCorruption())
        << n;
  }
}

}  // namespace shale
