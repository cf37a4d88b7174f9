#include "server/protocol/memcache/mc_parser.h"

#include <gtest/gtest.h>

#include <random>

namespace shale::server {
namespace {

using Result = McParser::Result;

TEST(McParserTest, LineAndData) {
  McParser p(1 << 20, 1024);
  std::string in = "get a b\r\nset k 5 0 3 noreply\r\nx\r\n\r\n";
  size_t pos = 0, used;
  ASSERT_EQ(p.Parse(in, &used), Result::kRequest);
  pos += used;
  EXPECT_EQ(p.request().tokens, (std::vector<std::string>{"get", "a", "b"}));
  ASSERT_EQ(p.Parse(std::string_view(in).substr(pos), &used), Result::kRequest);
  EXPECT_TRUE(p.request().has_data);
  EXPECT_EQ(p.request().data, "x\r\n");
  EXPECT_FALSE(p.request().bad_chunk);
}

TEST(McParserTest, DataArrivesInPieces) {
  McParser p(1 << 20, 1024);
  size_t used;
  EXPECT_EQ(p.Parse("set k 0 0 10\r\n01234", &used), Result::kNeedMore);
  EXPECT_EQ(used, 19u);
  EXPECT_EQ(p.Parse("56789\r", &used), Result::kNeedMore);
  EXPECT_EQ(p.Parse("\n", &used), Result::kRequest);
  EXPECT_EQ(p.request().data, "0123456789");
}

TEST(McParserTest, BadChunkTooLargeBadLine) {
  McParser p(10, 1024);
  size_t used;
  ASSERT_EQ(p.Parse("set k 0 0 1\r\nxyz\r\n", &used), Result::kRequest);
  EXPECT_TRUE(p.request().bad_chunk);
  ASSERT_EQ(p.Parse("set k 0 0 100\r\n", &used), Result::kRequest);
  EXPECT_TRUE(p.request().too_large);
  // The 102 bytes that follow are swallowed.
  std::string rest(102, 'z');
  EXPECT_EQ(p.Parse(rest, &used), Result::kNeedMore);
  EXPECT_EQ(used, 102u);
  ASSERT_EQ(p.Parse("set k x 0 1\r\n", &used), Result::kRequest);
  EXPECT_TRUE(p.request().bad_length);
  EXPECT_FALSE(p.request().has_data);
}

TEST(McParserTest, LineTooLong) {
  McParser p(10, 100);
  size_t used;
  EXPECT_EQ(p.Parse(std::string(200, 'a'), &used), Result::kError);
  EXPECT_EQ(p.error(), "CLIENT_ERROR line too long");
}

TEST(McParserTest, RandomJunk) {
  uint32_t seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  for (int i = 0; i < 2000; i++) {
    std::string in(rng() % 200, '\0');
    const char kAlpha[] = "set get cas ms 0123456789\r\n -";
    for (char& c : in) {
      c = rng() % 4 ? kAlpha[rng() % (sizeof(kAlpha) - 1)]
                    : static_cast<char>(rng());
    }
    McParser p(1000, 100);
    size_t pos = 0, used;
    while (pos <= in.size()) {
      Result r = p.Parse(std::string_view(in).substr(pos), &used);
      pos += used;
      if (r != Result::kRequest) break;
    }
  }
}

}  // namespace
}  // namespace shale::server
