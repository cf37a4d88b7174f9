#include "util/coding.h"

#include <gtest/gtest.h>

#include "util/checksum.h"
#include "util/random.h"

namespace shale {

TEST(Coding, Fixed) {
  std::string s;
  for (uint32_t v = 0; v < 100000; v += 7) PutFixed32(&s, v);
  std::string_view in(s);
  for (uint32_t v = 0; v < 100000; v += 7) {
    uint32_t got;
    ASSERT_TRUE(GetFixed32(&in, &got));
    ASSERT_EQ(v, got);
  }
  EXPECT_TRUE(in.empty());
  char buf[8];
  EncodeFixed64(buf, 0x0102030405060708ull);
  EXPECT_EQ(buf[0], 0x08);  // little-endian on disk
  EXPECT_EQ(DecodeFixed64(buf), 0x0102030405060708ull);
}

TEST(Coding, VarintRoundTrip) {
  std::vector<uint64_t> values = {
      0,         1,     127,   128,        255,
      300,       16383, 16384, UINT32_MAX, uint64_t{UINT32_MAX} + 1,
      UINT64_MAX};
  Random rnd(301);
  for (int i = 0; i < 1000; i++)
    values.push_back(rnd.Next64() >> rnd.Uniform(64));
  std::string s;
  for (uint64_t v : values) PutVarint64(&s, v);
  std::string_view in(s);
  for (uint64_t v : values) {
    uint64_t got;
    ASSERT_TRUE(GetVarint64(&in, &got));
    ASSERT_EQ(v, got);
    ASSERT_EQ(VarintLength(v), [&] {
      std::string t;
      PutVarint64(&t, v);
      return int(t.size());
    }());
  }
  EXPECT_TRUE(in.empty());
}

TEST(Coding, VarintRejectsTruncatedAndOverlong) {
  std::string s;
  PutVarint32(&s, UINT32_MAX);
  for (size_t len = 0; len < s.size(); len++) {
    std::string_view in(s.data(), len);
    uint32_t v;
    EXPECT_FALSE(GetVarint32(&in, &v)) << len;
  }
  // A varint64 too large for 32 bits is rejected by the 32-bit decoder.
  std::string big;
  PutVarint64(&big, uint64_t{1} << 40);
  std::string_view in(big);
  uint32_t v32;
  EXPECT_FALSE(GetVarint32(&in, &v32));
  // Eleven continuation bytes overflow 64 bits.
  std::string overlong(11, '\xff');
  std::string_view in2(overlong);
  uint64_t v64;
  EXPECT_FALSE(GetVarint64(&in2, &v64));
}

TEST(Coding, LengthPrefixed) {
  std::string s;
  PutLengthPrefixed(&s, "");
  PutLengthPrefixed(&s, "foo");
  PutLengthPrefixed(&s, std::string(300, 'x'));
  std::string_view in(s), out;
  ASSERT_TRUE(GetLengthPrefixed(&in, &out));
  EXPECT_EQ(out, "");
  ASSERT_TRUE(GetLengthPrefixed(&in, &out));
  EXPECT_EQ(out, "foo");
  ASSERT_TRUE(GetLengthPrefixed(&in, &out));
  EXPECT_EQ(out, std::string(300, 'x'));
  EXPECT_FALSE(GetLengthPrefixed(&in, &out));
  std::string bad;
  PutVarint32(&bad, 10);
  bad += "abc";
  std::string_view in3(bad);
  EXPECT_FALSE(GetLengthPrefixed(&in3, &out));
}

TEST(Checksum, MaskRoundTripAndSensitivity) {
  uint32_t c = Checksum("hello world");
  EXPECT_NE(c, Checksum("hello worle"));
  EXPECT_NE(MaskChecksum(c), c);
  EXPECT_EQ(UnmaskChecksum(MaskChecksum(c)), c);
  EXPECT_EQ(Checksum2("hello ", "world"), c);
}

}  // namespace shale
