#include "util/compression.h"

#include <gtest/gtest.h>

#include <string>

#include "testing/test_util.h"
#include "util/coding.h"
#include "util/random.h"

namespace shale {
namespace {

constexpr CompressionType kCodecs[] = {
    CompressionType::kLZ4, CompressionType::kZstd, CompressionType::kSnappy};

std::string CodecName(const ::testing::TestParamInfo<CompressionType>& info) {
  return std::string(CompressionTypeName(info.param));
}

// Text-like bytes: words from a small vocabulary, which every codec
// shrinks well.
std::string Compressible(Random* rnd, size_t n) {
  static const char* const kWords[] = {"alpha ", "beta ",  "gamma ",
                                       "delta ", "shale ", "block "};
  std::string s;
  while (s.size() < n) s += kWords[rnd->Uniform(6)];
  s.resize(n);
  return s;
}

std::string Incompressible(Random* rnd, size_t n) {
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rnd->Uniform(256));
  return s;
}

class CompressionTest : public ::testing::TestWithParam<CompressionType> {};

TEST_P(CompressionTest, RoundTrips) {
  const CompressionType type = GetParam();
  Random rnd(test::TestSeed());
  std::vector<std::string> inputs = {
      "",
      "a",
      std::string(1, '\0'),
      std::string(100000, 'x'),  // highly repetitive
      Compressible(&rnd, 4096),
      Incompressible(&rnd, 4096),
      Incompressible(&rnd, 1 << 20),
  };
  for (int i = 0; i < 50; i++) {
    inputs.push_back(rnd.OneIn(2) ? Compressible(&rnd, rnd.Skewed(16))
                                  : Incompressible(&rnd, rnd.Skewed(14)));
  }
  for (const std::string& in : inputs) {
    SCOPED_TRACE("size " + std::to_string(in.size()));
    std::string compressed;
    ASSERT_TRUE(Compress(type, in, &compressed));
    size_t length;
    ASSERT_TRUE(UncompressedLength(type, compressed, &length).ok());
    EXPECT_EQ(length, in.size());
    std::string out = "garbage to be replaced";
    Status s = Uncompress(type, compressed, &out);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(out, in);
  }
}

TEST_P(CompressionTest, ShrinksTextNotNoise) {
  const CompressionType type = GetParam();
  Random rnd(7);
  std::string compressed;
  const std::string text = Compressible(&rnd, 4096);
  ASSERT_TRUE(Compress(type, text, &compressed));
  EXPECT_LT(compressed.size(), text.size() / 2);
  const std::string noise = Incompressible(&rnd, 4096);
  ASSERT_TRUE(Compress(type, noise, &compressed));
  EXPECT_GT(compressed.size(), noise.size() - noise.size() / 8);
}

// Every flipped byte and every truncation of valid compressed data, and
// random garbage: an error or (for damage the codec cannot see, e.g. in a
// literal) some output, never a crash and never an output longer than
// declared.
TEST_P(CompressionTest, DamagedInputFailsCleanly) {
  const CompressionType type = GetParam();
  const uint64_t seed = test::TestSeed();
  SCOPED_TRACE("seed=" + std::to_string(seed));
  Random rnd(seed);
  const std::string in = Compressible(&rnd, 3000) + Incompressible(&rnd, 200);
  std::string good;
  ASSERT_TRUE(Compress(type, in, &good));
  int errors = 0, decoded = 0;
  auto attempt = [&](const std::string& bad) {
    std::string out;
    Status s = Uncompress(type, bad, &out);
    if (s.ok()) {
      decoded++;
      size_t length;
      ASSERT_TRUE(UncompressedLength(type, bad, &length).ok());
      EXPECT_EQ(out.size(), length);
    } else {
      errors++;
      EXPECT_TRUE(s.IsCorruption()) << s.ToString();
      EXPECT_TRUE(out.empty());
    }
  };
  for (size_t i = 0; i < good.size(); i++) {
    for (char mask : {'\x01', '\x80', '\xff'}) {
      std::string bad = good;
      bad[i] ^= mask;
      attempt(bad);
    }
  }
  for (size_t len = 0; len < good.size(); len++) {
    attempt(good.substr(0, len));
  }
  // Trailing garbage after valid data.
  attempt(good + "x");
  attempt(good + good);
  for (int i = 0; i < 2000; i++) attempt(Incompressible(&rnd, rnd.Skewed(10)));
  std::printf("%s: %d errors, %d decoded despite damage\n",
              std::string(CompressionTypeName(type)).c_str(), errors, decoded);
  // Truncations alone fail (a few hundred of them) for every codec.
  EXPECT_GT(errors, static_cast<int>(good.size()));
}

TEST_P(CompressionTest, TruncationIsAnError) {
  const CompressionType type = GetParam();
  Random rnd(3);
  const std::string in = Compressible(&rnd, 5000);
  std::string good;
  ASSERT_TRUE(Compress(type, in, &good));
  for (size_t len = 0; len < good.size(); len++) {
    std::string out;
    EXPECT_TRUE(Uncompress(type, good.substr(0, len), &out).IsCorruption())
        << len;
  }
}

INSTANTIATE_TEST_SUITE_P(Codecs, CompressionTest, ::testing::ValuesIn(kCodecs),
                         CodecName);

TEST(CompressionTest, NoneAndUnknownTypes) {
  std::string out;
  EXPECT_FALSE(Compress(CompressionType::kNone, "abc", &out));
  EXPECT_FALSE(Compress(static_cast<CompressionType>(9), "abc", &out));
  EXPECT_TRUE(
      Uncompress(CompressionType::kNone, "abc", &out).IsInvalidArgument());
  EXPECT_TRUE(Uncompress(static_cast<CompressionType>(9), "abc", &out)
                  .IsInvalidArgument());
  for (int t = 0; t < 256; t++) {
    EXPECT_EQ(IsKnownCompressionType(static_cast<uint8_t>(t)), t <= 3) << t;
  }
  EXPECT_EQ(CompressionTypeName(CompressionType::kNone), "none");
  EXPECT_EQ(CompressionTypeName(CompressionType::kLZ4), "lz4");
  EXPECT_EQ(CompressionTypeName(CompressionType::kZstd), "zstd");
  EXPECT_EQ(CompressionTypeName(CompressionType::kSnappy), "snappy");
  EXPECT_EQ(CompressionTypeName(static_cast<CompressionType>(9)), "unknown");
}

// A declared length is checked before anything is allocated.
TEST(CompressionTest, DeclaredLengthBounds) {
  std::string out;
  size_t length;
  // LZ4: the varint prefix is ours. Over the hard cap, and over 255x the
  // input, are both rejected; a plausible length is accepted.
  for (uint32_t declared :
       {uint32_t{1} << 31, uint32_t{64 << 20} + 1, uint32_t{1} << 20}) {
    std::string bad;
    PutVarint32(&bad, declared);
    bad.append(100, '\0');  // 100 bytes cannot make 1 MiB
    Status s = UncompressedLength(CompressionType::kLZ4, bad, &length);
    EXPECT_TRUE(s.IsCorruption()) << declared << " " << s.ToString();
    EXPECT_TRUE(Uncompress(CompressionType::kLZ4, bad, &out).IsCorruption());
  }
  std::string prefix_only;
  PutVarint32(&prefix_only, 10);
  EXPECT_TRUE(
      UncompressedLength(CompressionType::kLZ4, prefix_only, &length).ok());
  EXPECT_TRUE(Uncompress(CompressionType::kLZ4, prefix_only, &out)
                  .IsCorruption());  // but no data follows
  EXPECT_TRUE(UncompressedLength(CompressionType::kLZ4, "\xff\xff", &length)
                  .IsCorruption());  // a broken varint

  // Snappy: its own varint header, same checks.
  for (uint32_t declared : {uint32_t{1} << 31, uint32_t{1} << 20}) {
    std::string bad;
    PutVarint32(&bad, declared);
    bad.append(100, '\0');
    EXPECT_TRUE(UncompressedLength(CompressionType::kSnappy, bad, &length)
                    .IsCorruption())
        << declared;
  }

  // Zstd: a real frame of 65 MiB of zeros (tiny when compressed) declares
  // more than the cap, and a frame made by hand declaring 2^40 bytes too.
  // The compressor itself refuses inputs over the cap.
  const std::string huge((64 << 20) + 1, '\0');
  EXPECT_FALSE(Compress(CompressionType::kZstd, huge, &out));
  EXPECT_FALSE(Compress(CompressionType::kLZ4, huge, &out));
  EXPECT_FALSE(Compress(CompressionType::kSnappy, huge, &out));
  std::string frame;
  ASSERT_TRUE(Compress(CompressionType::kZstd, std::string(1000, 'z'), &frame));
  ASSERT_TRUE(UncompressedLength(CompressionType::kZstd, frame, &length).ok());
  EXPECT_EQ(length, 1000u);
  // Single-segment frame header: magic, descriptor with an 8-byte content
  // size field, the size.
  std::string big_frame = "\x28\xb5\x2f\xfd";
  big_frame.push_back('\xe0');  // FCS 8 bytes, single segment
  PutFixed64(&big_frame, uint64_t{1} << 40);
  big_frame.append(8, '\0');
  Status s = UncompressedLength(CompressionType::kZstd, big_frame, &length);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.ToString().find("64 MiB"), std::string::npos) << s.ToString();
  // A frame without a content size is refused (ours always carry one).
  const std::string no_size("\x28\xb5\x2f\xfd\x00\x00", 6);
  EXPECT_TRUE(UncompressedLength(CompressionType::kZstd, no_size, &length)
                  .IsCorruption());
}

// UncompressInto with a length other than the declared one fails.
TEST(CompressionTest, IntoWrongLength) {
  for (CompressionType type : kCodecs) {
    std::string compressed;
    ASSERT_TRUE(Compress(type, std::string(500, 'q'), &compressed));
    std::string buf(600, '\0');
    EXPECT_TRUE(
        UncompressInto(type, compressed, buf.data(), 499).IsCorruption())
        << CompressionTypeName(type);
    EXPECT_TRUE(
        UncompressInto(type, compressed, buf.data(), 501).IsCorruption())
        << CompressionTypeName(type);
    EXPECT_TRUE(UncompressInto(type, compressed, buf.data(), 500).ok());
    EXPECT_EQ(buf.substr(0, 500), std::string(500, 'q'));
  }
}

}  // namespace
}  // namespace shale
