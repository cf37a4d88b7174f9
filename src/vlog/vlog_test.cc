// Tests of the vlog file format, VlogWriter and VlogReader on a MemEnv.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "db/filename.h"
#include "testing/test_util.h"
#include "util/checksum.h"
#include "util/coding.h"
#include "util/mem_env.h"
#include "vlog/vlog_format.h"
#include "vlog/vlog_reader.h"
#include "vlog/vlog_writer.h"

namespace shale {
namespace {

constexpr char kDb[] = "/db";

struct Written {
  std::string key;
  std::string value;
  ValuePointer ptr;
};

class VlogTest : public testing::Test {
 protected:
  // Writes one vlog holding kvs, in order; returns the pointers in *out.
  void WriteVlog(uint64_t number,
                 const std::vector<std::pair<std::string, std::string>>& kvs,
                 std::vector<Written>* out, bool finish = true) {
    std::unique_ptr<WritableFile> file;
    ASSERT_TRUE(env_.NewWritableFile(VlogFileName(kDb, number), &file).ok());
    VlogWriter writer(number, std::move(file));
    uint64_t expect_bytes = 0;
    for (const auto& [key, value] : kvs) {
      Written w{key, value, {}};
      ASSERT_TRUE(writer.Add(key, value, &w.ptr).ok());
      EXPECT_EQ(w.ptr.file_number, number);
      EXPECT_EQ(w.ptr.offset, kVlogHeaderSize + expect_bytes);
      EXPECT_EQ(w.ptr.value_size, value.size());
      expect_bytes += w.ptr.RecordSize(key.size());
      out->push_back(std::move(w));
    }
    EXPECT_EQ(writer.records(), kvs.size());
    EXPECT_EQ(writer.data_bytes(), expect_bytes);
    if (finish) {
      ASSERT_TRUE(writer.Finish().ok());
      EXPECT_EQ(writer.file_size(),
                kVlogHeaderSize + expect_bytes + kVlogFooterSize);
    } else {
      writer.Abandon();
    }
  }

  std::string Contents(uint64_t number) {
    std::string data;
    EXPECT_TRUE(env_.ReadFileToString(VlogFileName(kDb, number), &data).ok());
    return data;
  }

  // Reads every pointer in ws through reader, directly or with read-ahead,
  // and expects the written values.
  void ExpectAll(VlogReader* reader, const std::vector<Written>& ws,
                 bool readahead) {
    VlogReadahead ra;
    for (const Written& w : ws) {
      std::string value = "junk";
      Status s = reader->Read(w.ptr, w.key, &value, readahead ? &ra : nullptr);
      ASSERT_TRUE(s.ok()) << s.ToString() << " at offset " << w.ptr.offset;
      ASSERT_EQ(value, w.value) << "offset " << w.ptr.offset;
    }
  }

  MemEnv env_;
};

TEST_F(VlogTest, RoundTripManySizes) {
  const uint64_t seed = test::TestSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  Random rnd(seed);
  std::vector<std::pair<std::string, std::string>> kvs;
  // Fixed sizes around the interesting edges (empty, one byte, the
  // read-ahead size), then random ones.
  const size_t fixed[] = {0,
                          1,
                          11,
                          12,
                          1023,
                          1024,
                          4096,
                          VlogReadahead::kMaxWindow - 100,
                          VlogReadahead::kMaxWindow,
                          VlogReadahead::kMaxWindow + 1,
                          300000};
  int i = 0;
  for (size_t n : fixed) {
    kvs.emplace_back("key" + std::to_string(i++), test::RandomBytes(&rnd, n));
  }
  kvs.emplace_back("", "value under an empty key");
  for (int j = 0; j < 200; j++) {
    std::string key = test::RandomBytes(&rnd, rnd.Skewed(6));
    kvs.emplace_back(key, test::RandomBytes(&rnd, rnd.Skewed(14)));
  }
  std::vector<Written> ws;
  WriteVlog(7, kvs, &ws);

  VlogReader reader(kDb, &env_, 4);
  ExpectAll(&reader, ws, /*readahead=*/false);
  ExpectAll(&reader, ws, /*readahead=*/true);

  // Random order: the read-ahead buffer misses often and must refill, and
  // both paths still agree.
  VlogReadahead ra;
  for (int j = 0; j < 500; j++) {
    const Written& w = ws[rnd.Uniform(ws.size())];
    std::string direct, ahead;
    ASSERT_TRUE(reader.Read(w.ptr, w.key, &direct).ok());
    ASSERT_TRUE(reader.Read(w.ptr, w.key, &ahead, &ra).ok());
    ASSERT_EQ(direct, w.value);
    ASSERT_EQ(ahead, w.value);
  }
}

TEST_F(VlogTest, ReadaheadAcrossFilesAndEviction) {
  std::vector<Written> a, b;
  std::vector<std::pair<std::string, std::string>> kvs_a, kvs_b;
  for (int i = 0; i < 50; i++) {
    kvs_a.emplace_back("a" + std::to_string(i), std::string(1000 + i, 'a'));
    kvs_b.emplace_back("b" + std::to_string(i), std::string(2000 + i, 'b'));
  }
  WriteVlog(10, kvs_a, &a);
  WriteVlog(11, kvs_b, &b);
  // One open file at a time: alternating files evicts on every read.
  VlogReader reader(kDb, &env_, 1);
  VlogReadahead ra;
  for (size_t i = 0; i < a.size(); i++) {
    for (const Written* w : {&a[i], &b[i]}) {
      std::string v1, v2;
      ASSERT_TRUE(reader.Read(w->ptr, w->key, &v1, &ra).ok());
      ASSERT_TRUE(reader.Read(w->ptr, w->key, &v2).ok());
      ASSERT_EQ(v1, w->value);
      ASSERT_EQ(v2, w->value);
    }
  }
  reader.Evict(10);
  reader.Evict(12);  // never opened: a no-op
  ExpectAll(&reader, a, true);
}

// Two files with the same keys at the same offsets, only the values differ:
// a read-ahead buffer served for the wrong file would pass every check of
// the record and return the other file's value. Sequential runs, switches
// between the files and random jumps, all through one VlogReadahead.
TEST_F(VlogTest, ReadaheadNeverServesAnotherFilesBytes) {
  const uint64_t seed = test::TestSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  Random rnd(seed);
  std::vector<std::pair<std::string, std::string>> kvs_a, kvs_b;
  for (int i = 0; i < 300; i++) {
    char key[16];
    std::snprintf(key, sizeof(key), "key%05d", i);
    const size_t n = 100 + rnd.Uniform(3000);
    kvs_a.emplace_back(key, std::string(n, 'a'));
    kvs_b.emplace_back(key, std::string(n, 'b'));
  }
  std::vector<Written> a, b;
  WriteVlog(20, kvs_a, &a);
  WriteVlog(21, kvs_b, &b);
  VlogReader reader(kDb, &env_, 4);
  VlogReadahead ra;
  size_t pos = 0;
  const std::vector<Written>* file = &a;
  for (int step = 0; step < 3000; step++) {
    if (rnd.OneIn(20)) file = file == &a ? &b : &a;  // switch files
    if (rnd.OneIn(20)) pos = rnd.Uniform(a.size());  // jump
    const Written& w = (*file)[pos];
    std::string value;
    const bool direct = rnd.OneIn(10);
    Status s = reader.Read(w.ptr, w.key, &value, direct ? nullptr : &ra);
    ASSERT_TRUE(s.ok()) << s.ToString() << " step " << step;
    ASSERT_EQ(value, w.value) << "step " << step;
    pos = (pos + 1) % a.size();
  }
}

TEST_F(VlogTest, HeaderAndFooter) {
  std::vector<Written> ws;
  WriteVlog(3, {{"k", "vv"}, {"key2", std::string(5000, 'x')}}, &ws);
  const std::string data = Contents(3);
  const uint64_t data_bytes = (12 + 1 + 2) + (12 + 4 + 5000);
  ASSERT_EQ(data.size(), kVlogHeaderSize + data_bytes + kVlogFooterSize);

  EXPECT_TRUE(CheckVlogHeader(data, "f").ok());
  EXPECT_EQ(data.substr(0, 8), "shleVLOG");
  EXPECT_EQ(DecodeFixed32(data.data() + 8), kVlogFormatVersion);
  EXPECT_EQ(UnmaskChecksum(DecodeFixed32(data.data() + 12)),
            Checksum(data.data(), 12));
  EXPECT_EQ(data.substr(0, kVlogHeaderSize), EncodeVlogHeader());

  // The first record, byte by byte.
  const char* r = data.data() + kVlogHeaderSize;
  EXPECT_EQ(DecodeFixed32(r + 4), 1u);
  EXPECT_EQ(DecodeFixed32(r + 8), 2u);
  EXPECT_EQ(std::string(r + 12, 3), "kvv");
  EXPECT_EQ(UnmaskChecksum(DecodeFixed32(r)), Checksum(r + 4, 11));

  const char* f = data.data() + data.size() - kVlogFooterSize;
  EXPECT_EQ(DecodeFixed64(f), 2u);
  EXPECT_EQ(DecodeFixed64(f + 8), data_bytes);
  EXPECT_EQ(DecodeFixed64(f + 16), kVlogMagic);
  EXPECT_EQ(UnmaskChecksum(DecodeFixed32(f + 24)), Checksum(f, 24));
  VlogFooter footer;
  ASSERT_TRUE(
      DecodeVlogFooter(std::string_view(f, kVlogFooterSize), "f", &footer)
          .ok());
  EXPECT_EQ(footer.records, 2u);
  EXPECT_EQ(footer.data_bytes, data_bytes);
  EXPECT_EQ(EncodeVlogFooter(footer), std::string(f, kVlogFooterSize));
  // A flipped bit, a bad magic or a short footer: Corruption, not counts.
  std::string bad(f, kVlogFooterSize);
  bad[3] ^= 1;
  EXPECT_TRUE(DecodeVlogFooter(bad, "f", &footer).IsCorruption());
  bad = std::string(f, kVlogFooterSize);
  bad[16] ^= 1;
  EXPECT_TRUE(DecodeVlogFooter(bad, "f", &footer).IsCorruption());
  EXPECT_TRUE(DecodeVlogFooter(bad.substr(1), "f", &footer).IsCorruption());

  // An abandoned writer leaves no footer.
  std::vector<Written> ws2;
  WriteVlog(4, {{"k", "vv"}}, &ws2, /*finish=*/false);
  EXPECT_EQ(Contents(4).size(), kVlogHeaderSize + 15);
}

// The example of docs/format/vlog.md §1, byte for byte.
TEST_F(VlogTest, DocumentedExample) {
  std::vector<Written> ws;
  WriteVlog(1, {{"k", "vv"}}, &ws);
  const unsigned char expected[] = {
      0x73, 0x68, 0x6c, 0x65, 0x56, 0x4c, 0x4f, 0x47, 0x01, 0x00, 0x00, 0x00,
      0x83, 0xa3, 0x3c, 0x2f, 0xde, 0x96, 0xc7, 0x7a, 0x01, 0x00, 0x00, 0x00,
      0x02, 0x00, 0x00, 0x00, 0x6b, 0x76, 0x76, 0x01, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x73,
      0x68, 0x6c, 0x65, 0x56, 0x4c, 0x4f, 0x47, 0x88, 0x8e, 0x20, 0xc1};
  EXPECT_EQ(Contents(1), std::string(reinterpret_cast<const char*>(expected),
                                     sizeof(expected)));
  EXPECT_EQ(ws[0].ptr.offset, 16u);
}

TEST_F(VlogTest, BadHeaders) {
  std::string h = EncodeVlogHeader();
  EXPECT_TRUE(CheckVlogHeader(h, "f").ok());
  EXPECT_TRUE(CheckVlogHeader(h.substr(0, 15), "f").IsCorruption());
  for (size_t i = 0; i < h.size(); i++) {
    std::string bad = h;
    bad[i] ^= 0x10;
    Status s = CheckVlogHeader(bad, "some.vlog");
    EXPECT_FALSE(s.ok()) << i;
    EXPECT_NE(s.ToString().find("some.vlog"), std::string::npos);
  }
  // A valid header of another version is NotSupported.
  std::string v2;
  PutFixed64(&v2, kVlogMagic);
  PutFixed32(&v2, 2);
  PutFixed32(&v2, MaskChecksum(Checksum(v2)));
  EXPECT_TRUE(CheckVlogHeader(v2, "f").IsNotSupported());
}

// Every single-byte change to a small vlog makes each read return either
// the right value or a Corruption naming the file: never a wrong value.
TEST_F(VlogTest, EveryFlippedByte) {
  std::vector<Written> ws;
  WriteVlog(5,
            {{"apple", "red fruit"},
             {"banana", ""},
             {"cherry", std::string(40, 'c')},
             {"d", "x"}},
            &ws);
  const std::string path = VlogFileName(kDb, 5);
  const size_t size = Contents(5).size();
  const size_t data_end = size - kVlogFooterSize;
  for (uint8_t mask : {0x01, 0x80, 0xff}) {
    for (size_t off = 0; off < size; off++) {
      ASSERT_TRUE(env_.CorruptByte(path, off, mask).ok());
      VlogReader reader(kDb, &env_, 2);
      for (bool readahead : {false, true}) {
        VlogReadahead ra;
        int failures = 0;
        for (const Written& w : ws) {
          std::string value;
          Status s =
              reader.Read(w.ptr, w.key, &value, readahead ? &ra : nullptr);
          const bool in_record =
              off >= w.ptr.offset &&
              off < w.ptr.offset + w.ptr.RecordSize(w.key.size());
          if (s.ok()) {
            EXPECT_FALSE(in_record) << "offset " << off;
            EXPECT_EQ(value, w.value) << "offset " << off;
          } else {
            failures++;
            EXPECT_TRUE(s.IsCorruption()) << s.ToString();
            EXPECT_NE(s.ToString().find(path), std::string::npos)
                << s.ToString();
            EXPECT_TRUE(in_record) << "offset " << off;
          }
        }
        // A byte in the data area belongs to exactly one record.
        const bool in_data = off >= kVlogHeaderSize && off < data_end;
        EXPECT_EQ(failures, in_data ? 1 : 0) << "offset " << off;
      }
      ASSERT_TRUE(env_.CorruptByte(path, off, mask).ok());  // restore
    }
  }
  VlogReader reader(kDb, &env_, 2);
  ExpectAll(&reader, ws, false);
}

TEST_F(VlogTest, TruncatedFile) {
  std::vector<Written> ws;
  WriteVlog(6, {{"a", std::string(100, 'a')}, {"b", std::string(200, 'b')}},
            &ws);
  const std::string path = VlogFileName(kDb, 6);
  const uint64_t b_end = ws[1].ptr.offset + ws[1].ptr.RecordSize(1);
  for (uint64_t cut : {b_end - 1, ws[1].ptr.offset + 5, ws[1].ptr.offset,
                       uint64_t{kVlogHeaderSize}, uint64_t{0}}) {
    ASSERT_TRUE(env_.TruncateFile(path, cut).ok());
    for (bool readahead : {false, true}) {
      VlogReader reader(kDb, &env_, 2);
      VlogReadahead ra;
      std::string value;
      Status s = reader.Read(ws[1].ptr, "b", &value, readahead ? &ra : nullptr);
      EXPECT_FALSE(s.ok()) << "cut at " << cut;
      s = reader.Read(ws[0].ptr, "a", &value, readahead ? &ra : nullptr);
      if (cut >= ws[1].ptr.offset) {
        EXPECT_TRUE(s.ok()) << s.ToString();
        EXPECT_EQ(value, ws[0].value);
      } else {
        EXPECT_FALSE(s.ok()) << "cut at " << cut;
      }
    }
  }
  // A missing file is an error too.
  VlogReader reader(kDb, &env_, 2);
  std::string value;
  ValuePointer missing = ws[0].ptr;
  missing.file_number = 99;
  EXPECT_FALSE(reader.Read(missing, "a", &value).ok());
}

TEST_F(VlogTest, WrongPointers) {
  std::vector<Written> ws;
  WriteVlog(8,
            {{"key1", std::string(100, '1')}, {"key2", std::string(100, '2')}},
            &ws);
  VlogReader reader(kDb, &env_, 2);
  auto expect_corrupt = [&](const ValuePointer& p, std::string_view key) {
    for (bool readahead : {false, true}) {
      VlogReadahead ra;
      std::string value;
      Status s = reader.Read(p, key, &value, readahead ? &ra : nullptr);
      EXPECT_TRUE(s.IsCorruption()) << s.ToString();
      EXPECT_NE(s.ToString().find("000008.vlog"), std::string::npos)
          << s.ToString();
    }
  };
  // The record is intact, but another key's (same length, and not).
  expect_corrupt(ws[0].ptr, "key2");
  expect_corrupt(ws[0].ptr, "key");
  expect_corrupt(ws[0].ptr, "key10");
  // Wrong value sizes.
  ValuePointer p = ws[0].ptr;
  p.value_size = 99;
  expect_corrupt(p, "key1");
  p.value_size = 101;
  expect_corrupt(p, "key1");
  p.value_size = 0;
  expect_corrupt(p, "key1");
  // Wrong offsets: inside a record, the header, the footer, past the end.
  p = ws[1].ptr;
  p.offset += 1;
  expect_corrupt(p, "key2");
  p.offset = 0;
  expect_corrupt(p, "key2");
  p.offset = ws[1].ptr.offset + ws[1].ptr.RecordSize(4);
  expect_corrupt(p, "key2");
  p.offset = 1 << 20;
  expect_corrupt(p, "key2");
}

TEST_F(VlogTest, WriterRejectsHugeKeys) {
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(env_.NewWritableFile(VlogFileName(kDb, 9), &file).ok());
  VlogWriter writer(9, std::move(file));
  ValuePointer p;
  std::string huge(kVlogMaxKeySize + 1, 'k');
  EXPECT_TRUE(writer.Add(huge, "v", &p).IsInvalidArgument());
  // Errors are sticky.
  EXPECT_FALSE(writer.Add("k", "v", &p).ok());
  EXPECT_FALSE(writer.Finish().ok());
  writer.Abandon();
}

TEST(ValuePointerTest, EncodeDecode) {
  const ValuePointer cases[] = {
      {0, 0, 0},
      {1, kVlogHeaderSize, 1024},
      {123456, 1ull << 40, kVlogMaxValueSize},
      {~0ull, ~0ull, kVlogMaxValueSize},
  };
  for (const ValuePointer& p : cases) {
    std::string enc;
    p.EncodeTo(&enc);
    ValuePointer d;
    ASSERT_TRUE(d.DecodeFrom(enc));
    EXPECT_EQ(d.file_number, p.file_number);
    EXPECT_EQ(d.offset, p.offset);
    EXPECT_EQ(d.value_size, p.value_size);
    // Every proper prefix is truncated, and any trailing byte is rejected.
    for (size_t n = 0; n < enc.size(); n++) {
      EXPECT_FALSE(d.DecodeFrom(std::string_view(enc).substr(0, n))) << n;
    }
    EXPECT_FALSE(d.DecodeFrom(enc + '\0'));
    EXPECT_FALSE(d.DecodeFrom(enc + "xyz"));
  }
  // The encoding is three varints.
  std::string enc;
  ValuePointer{5, 300, 2}.EncodeTo(&enc);
  EXPECT_EQ(enc, std::string("\x05\xac\x02\x02", 4));
  EXPECT_EQ((ValuePointer{5, 300, 2}.RecordSize(3)), 12u + 3 + 2);

  // Sizes past the limit are corrupt, even when they fit a varint32.
  for (uint32_t size : {kVlogMaxValueSize + 1, ~0u}) {
    std::string bad;
    PutVarint64(&bad, 1);
    PutVarint64(&bad, 16);
    PutVarint32(&bad, size);
    ValuePointer d;
    EXPECT_FALSE(d.DecodeFrom(bad)) << size;
  }
  // A value size that overflows 32 bits.
  std::string bad;
  PutVarint64(&bad, 1);
  PutVarint64(&bad, 16);
  PutVarint64(&bad, 1ull << 33);
  ValuePointer d;
  EXPECT_FALSE(d.DecodeFrom(bad));
}

}  // namespace
}  // namespace shale
