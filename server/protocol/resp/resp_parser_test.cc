#include "server/protocol/resp/resp_parser.h"

#include <gtest/gtest.h>

#include <random>

namespace shale::server {
namespace {

using Result = RespParser::Result;

// Feeds in whole; returns every request parsed, or the error.
std::vector<std::vector<std::string>> ParseAll(RespParser* p,
                                               std::string_view in,
                                               std::string* error = nullptr) {
  std::vector<std::vector<std::string>> out;
  size_t pos = 0;
  for (;;) {
    size_t used;
    Result r = p->Parse(in.substr(pos), &used);
    pos += used;
    if (r == Result::kRequest) {
      out.push_back(p->args());
      continue;
    }
    if (r == Result::kError && error != nullptr) *error = p->error();
    return out;
  }
}

TEST(RespParserTest, Multibulk) {
  RespParser p;
  auto reqs =
      ParseAll(&p, "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$4\r\nPING\r\n");
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0], (std::vector<std::string>{"GET", "k"}));
  EXPECT_EQ(reqs[1], (std::vector<std::string>{"PING"}));
}

// Argument strings keep their buffers from one request to the next: a
// shorter or empty argument after a longer one, and an argument moved out
// by its command, still read exactly as sent.
TEST(RespParserTest, RecycledArgumentsHoldOnlyTheirBytes) {
  RespParser p;
  std::string long_value(300, 'x');
  std::string in = "*3\r\n$3\r\nSET\r\n$16\r\nkey:000000000001\r\n$300\r\n" +
                   long_value + "\r\n";
  in += "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n";
  in += "*3\r\n$3\r\nSET\r\n$0\r\n\r\n$2\r\nab\r\n";
  in += "*2\r\n$4\r\nECHO\r\n$17\r\nkey:0000000000002\r\n";
  size_t pos = 0, used = 0;
  std::vector<std::vector<std::string>> got;
  for (int i = 0; i < 4; i++) {
    ASSERT_EQ(p.Parse(std::string_view(in).substr(pos), &used),
              Result::kRequest);
    pos += used;
    got.push_back(p.args());
    // As SetBatch did: a command may take an argument's buffer.
    if (i == 0) std::string taken = std::move(p.args()[2]);
  }
  EXPECT_EQ(pos, in.size());
  EXPECT_EQ(got[0],
            (std::vector<std::string>{"SET", "key:000000000001", long_value}));
  EXPECT_EQ(got[1], (std::vector<std::string>{"GET", "k"}));
  EXPECT_EQ(got[2], (std::vector<std::string>{"SET", "", "ab"}));
  EXPECT_EQ(got[3], (std::vector<std::string>{"ECHO", "key:0000000000002"}));
}

TEST(RespParserTest, BinaryBulkAndEmpty) {
  RespParser p;
  std::string in = std::string("*2\r\n$3\r\n\0\r\n\r\n$0\r\n\r\n", 19);
  auto reqs = ParseAll(&p, in);
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0][0], std::string("\0\r\n", 3));
  EXPECT_EQ(reqs[0][1], "");
}

TEST(RespParserTest, Inline) {
  RespParser p;
  auto reqs = ParseAll(&p, "SET \"a b\" 'c\\'d' \"\\x41\\n\"\r\n\r\nPING\n");
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0], (std::vector<std::string>{"SET", "a b", "c'd", "A\n"}));
  EXPECT_EQ(reqs[1], (std::vector<std::string>{"PING"}));
}

TEST(RespParserTest, ByteByByteEqualsWhole) {
  std::string in =
      "*3\r\n$3\r\nSET\r\n$5\r\nhello\r\n$10\r\n0123456789\r\nPING\r\n"
      "*0\r\n*1\r\n$4\r\nECHO\r\n";
  RespParser whole;
  auto expect = ParseAll(&whole, in);
  RespParser p;
  std::vector<std::vector<std::string>> got;
  std::string buf;
  for (char c : in) {
    buf.push_back(c);
    size_t used;
    Result r;
    while ((r = p.Parse(buf, &used)) == Result::kRequest) {
      got.push_back(p.args());
      buf.erase(0, used);
    }
    ASSERT_NE(r, Result::kError);
    buf.erase(0, used);
  }
  EXPECT_EQ(got, expect);
}

TEST(RespParserTest, Errors) {
  struct Case {
    std::string in, error;
  } cases[] = {
      {"*x\r\n", "Protocol error: invalid multibulk length"},
      {"*2000000\r\n", "Protocol error: invalid multibulk length"},
      {"*1\r\n$-1\r\n", "Protocol error: invalid bulk length"},
      {"*1\r\n$999999999999\r\n", "Protocol error: invalid bulk length"},
      {"*1\r\n:1\r\n", "Protocol error: expected '$', got ':'"},
      {"*1\r\n$1\r\nab\r\n", "Protocol error: expected CRLF after bulk"},
      {"GET \"x\r\n", "Protocol error: unbalanced quotes in request"},
      {std::string(70000, 'a'), "Protocol error: too big inline request"},
  };
  for (const Case& c : cases) {
    RespParser p;
    std::string error;
    ParseAll(&p, c.in, &error);
    EXPECT_EQ(error, c.error) << c.in.substr(0, 40);
  }
}

TEST(RespParserTest, HugeDeclaredBulkReservesLittle) {
  RespParser p;
  size_t used;
  EXPECT_EQ(p.Parse("*1\r\n$536870912\r\nabc", &used), Result::kNeedMore);
  EXPECT_EQ(used, 19u);
  EXPECT_LE(p.args()[0].capacity(), (1u << 20) + 64);
}

// Random bytes never crash the parser, and it always makes progress or asks
// for more. Prints its seed.
TEST(RespParserTest, RandomJunk) {
  uint32_t seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  for (int i = 0; i < 2000; i++) {
    std::string in(rng() % 200, '\0');
    for (char& c : in) {
      // Bias toward protocol characters.
      const char kAlpha[] = "*$\r\n0123456789-abc\"'\\ ";
      c = rng() % 4 ? kAlpha[rng() % (sizeof(kAlpha) - 1)]
                    : static_cast<char>(rng());
    }
    RespParser p;
    ParseAll(&p, in);
  }
}

}  // namespace
}  // namespace shale::server
