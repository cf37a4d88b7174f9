#include "table/format.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "table/test_file.h"
#include "util/checksum.h"
#include "util/coding.h"
#include "util/compression.h"

namespace shale {
namespace {

TEST(FormatTest, BlockHandleRoundTrip) {
  const uint64_t values[] = {0, 1, 127, 128, 1u << 20, UINT32_MAX, UINT64_MAX};
  for (uint64_t off : values) {
    for (uint64_t size : values) {
      std::string enc;
      BlockHandle(off, size).EncodeTo(&enc);
      EXPECT_LE(enc.size(), BlockHandle::kMaxEncodedLength);
      std::string_view in = enc;
      BlockHandle h;
      ASSERT_TRUE(h.DecodeFrom(&in));
      EXPECT_TRUE(in.empty());
      EXPECT_EQ(h.offset(), off);
      EXPECT_EQ(h.size(), size);
      for (size_t cut = 0; cut < enc.size(); cut++) {
        std::string_view part(enc.data(), cut);
        EXPECT_FALSE(h.DecodeFrom(&part));
      }
    }
  }
}

Footer SampleFooter() {
  Footer f;
  f.filter_handle = BlockHandle(100, 200);
  f.index_handle = BlockHandle(305, UINT32_MAX);
  f.properties_handle = BlockHandle(UINT64_MAX - 1, UINT64_MAX);
  return f;
}

TEST(FormatTest, FooterRoundTrip) {
  std::string enc;
  SampleFooter().EncodeTo(&enc);
  ASSERT_EQ(enc.size(), kFooterSize);
  EXPECT_EQ(enc.substr(enc.size() - 8), "\x8bshale\r\n");
  Footer f;
  ASSERT_TRUE(f.DecodeFrom(enc, "t.sst").ok());
  EXPECT_EQ(f.filter_handle.offset(), 100u);
  EXPECT_EQ(f.filter_handle.size(), 200u);
  EXPECT_EQ(f.index_handle.offset(), 305u);
  EXPECT_EQ(f.index_handle.size(), UINT32_MAX);
  EXPECT_EQ(f.properties_handle.offset(), UINT64_MAX - 1);
  EXPECT_EQ(f.properties_handle.size(), UINT64_MAX);
}

TEST(FormatTest, FooterErrors) {
  std::string enc;
  SampleFooter().EncodeTo(&enc);
  Footer f;
  {
    std::string bad = enc;
    bad[bad.size() - 1] ^= 1;
    Status s = f.DecodeFrom(bad, "t.sst");
    EXPECT_TRUE(s.IsCorruption());
    EXPECT_EQ(s.ToString(),
              "Corruption: t.sst: not an sstable (bad magic number)");
  }
  for (size_t i = 0; i < kFooterSize - 8; i++) {
    std::string bad = enc;
    bad[i] ^= 0x20;
    Status s = f.DecodeFrom(bad, "t.sst");
    EXPECT_TRUE(s.IsCorruption()) << i;
    EXPECT_NE(s.ToString().find("t.sst"), std::string::npos);
  }
  {
    // A newer version with a valid checksum.
    std::string newer = enc;
    EncodeFixed32(newer.data() + kFooterHandlesSize, 2);
    EncodeFixed32(newer.data() + kFooterHandlesSize + 4,
                  MaskChecksum(Checksum(newer.data(), kFooterHandlesSize + 4)));
    EXPECT_TRUE(f.DecodeFrom(newer, "t.sst").IsNotSupported());
  }
  EXPECT_TRUE(f.DecodeFrom(enc.substr(1), "t.sst").IsCorruption());
}

// A file holding some padding, then one block with its trailer, then more.
std::string FileWithBlock(std::string_view contents, CompressionType type,
                          BlockHandle* handle) {
  std::string file = "prefix";
  handle->set_offset(file.size());
  handle->set_size(contents.size());
  file.append(contents);
  char trailer[kBlockTrailerSize];
  EncodeBlockTrailer(contents, type, trailer);
  file.append(trailer, kBlockTrailerSize);
  file.append("suffix");
  return file;
}

TEST(FormatTest, ReadBlock) {
  for (bool borrow : {false, true}) {
    BlockHandle h;
    std::string file = FileWithBlock("hello block", CompressionType::kNone, &h);
    test::StringSource src(file, borrow);
    BlockContents c;
    ASSERT_TRUE(ReadBlock(&src, "f", file.size(), h, &c).ok());
    EXPECT_EQ(c.data, "hello block");
    EXPECT_EQ(c.owned != nullptr, !borrow);
  }
}

TEST(FormatTest, ReadEmptyBlock) {
  BlockHandle h;
  std::string file = FileWithBlock("", CompressionType::kNone, &h);
  test::StringSource src(file);
  BlockContents c;
  ASSERT_TRUE(ReadBlock(&src, "f", file.size(), h, &c).ok());
  EXPECT_TRUE(c.data.empty());
}

TEST(FormatTest, ReadBlockErrors) {
  BlockHandle h;
  const std::string file =
      FileWithBlock("hello block", CompressionType::kNone, &h);
  BlockContents c;
  auto read = [&](const std::string& bytes, uint64_t size, BlockHandle handle) {
    test::StringSource src(bytes);
    return ReadBlock(&src, "f.sst", size, handle, &c);
  };
  // Every damaged byte of contents or trailer is caught.
  for (size_t i = h.offset(); i < h.offset() + h.size() + kBlockTrailerSize;
       i++) {
    std::string bad = file;
    bad[i] ^= 0x01;
    Status s = read(bad, bad.size(), h);
    EXPECT_TRUE(s.IsCorruption()) << i;
    EXPECT_EQ(s.ToString(), "Corruption: f.sst: block checksum mismatch");
  }
  // Handles reaching past the end, including ones that overflow.
  const BlockHandle past[] = {
      {0, file.size()},
      {file.size(), 0},
      {file.size() - kBlockTrailerSize + 1, 0},
      {UINT64_MAX, 10},
      {10, UINT64_MAX},
      {UINT64_MAX - 2, UINT64_MAX - 2},
  };
  for (const BlockHandle& p : past) {
    Status s = read(file, file.size(), p);
    EXPECT_EQ(s.ToString(), "Corruption: f.sst: block handle past end of file");
  }
  EXPECT_TRUE(read(file, 3, h).IsCorruption());
  // The file is shorter than its claimed size.
  Status s = read(file.substr(0, h.offset() + 4), file.size(), h);
  EXPECT_EQ(s.ToString(), "Corruption: f.sst: truncated block read");
  // An I/O error passes through.
  test::StringSource failing(file);
  failing.set_fail_reads(true);
  EXPECT_TRUE(ReadBlock(&failing, "f.sst", file.size(), h, &c).IsIOError());
}

TEST(FormatTest, UnknownCompressionType) {
  for (int type : {4, 5, 200, 255}) {
    BlockHandle h;
    std::string file =
        FileWithBlock("data", static_cast<CompressionType>(type), &h);
    test::StringSource src(file);
    BlockContents c;
    Status s = ReadBlock(&src, "f.sst", file.size(), h, &c);
    EXPECT_EQ(s.ToString(), "Corruption: f.sst: unsupported compression type " +
                                std::to_string(type));
  }
}

TEST(FormatTest, CompressedBlocks) {
  const std::string raw = std::string(3000, 'a') + "tail of the block";
  for (auto type : {CompressionType::kLZ4, CompressionType::kZstd,
                    CompressionType::kSnappy}) {
    SCOPED_TRACE(std::string(CompressionTypeName(type)));
    std::string compressed;
    ASSERT_TRUE(Compress(type, raw, &compressed));
    for (bool borrow : {false, true}) {
      BlockHandle h;
      std::string file = FileWithBlock(compressed, type, &h);
      test::StringSource src(file, borrow);
      BlockContents c;
      ASSERT_TRUE(ReadBlock(&src, "f.sst", file.size(), h, &c).ok());
      EXPECT_EQ(c.data, raw);
      EXPECT_NE(c.owned, nullptr);  // uncompressed into memory of its own
    }
    // Bytes that are not valid compressed data, under a valid checksum:
    // Corruption naming the file.
    for (const std::string& bad :
         {std::string("not compressed at all"), std::string(),
          compressed.substr(0, compressed.size() / 2)}) {
      BlockHandle h;
      std::string file = FileWithBlock(bad, type, &h);
      test::StringSource src(file);
      BlockContents c;
      Status s = ReadBlock(&src, "f.sst", file.size(), h, &c);
      EXPECT_TRUE(s.IsCorruption()) << s.ToString();
      EXPECT_EQ(s.ToString().rfind("Corruption: f.sst: corrupt compressed "
                                   "block: ",
                                   0),
                0u)
          << s.ToString();
    }
  }
}

}  // namespace
}  // namespace shale
