#include "server/keyspace/value_header.h"

#include <gtest/gtest.h>

namespace shale::server {
namespace {

TEST(ValueHeaderTest, RoundTrip) {
  for (ValueMeta m : {ValueMeta{1, 0, 0}, ValueMeta{~0ull, 0xFFFFFFFFu, 1},
                      ValueMeta{1234567, 42, 1795286315897}}) {
    for (std::string payload :
         {std::string(), std::string("v"), std::string("\xF8\xFB\0x", 4)}) {
      std::string stored;
      EncodeValue(m, payload, &stored);
      ValueMeta got;
      std::string_view p;
      DecodeValue(stored, &got, &p);
      EXPECT_EQ(got.cas, m.cas);
      EXPECT_EQ(got.flags, m.flags);
      EXPECT_EQ(got.expire_at_ms, m.expire_at_ms);
      EXPECT_EQ(p, payload);
    }
  }
}

TEST(ValueHeaderTest, SmallOverhead) {
  std::string stored;
  EncodeValue(ValueMeta{1795286315897001ull, 0, 0}, "abc", &stored);
  EXPECT_EQ(stored.size(), 1 + 8 + 3u);
}

TEST(ValueHeaderTest, ForeignValuesAreBarePayloads) {
  for (std::string v : {std::string("plain text"), std::string(),
                        std::string("\xF8"), std::string("\xF9\x80")}) {
    ValueMeta m;
    std::string_view p;
    DecodeValue(v, &m, &p);
    EXPECT_EQ(p, v);
    EXPECT_EQ(m.cas, 0u);
  }
}

}  // namespace
}  // namespace shale::server
