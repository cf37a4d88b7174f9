#include "server/keyspace/legacy_value.h"

#include <gtest/gtest.h>

namespace shale::server {
namespace {

TEST(LegacyValueTest, RoundTrip) {
  for (LegacyMeta m : {LegacyMeta{1, 0, 0}, LegacyMeta{~0ull, 0xFFFFFFFFu, 1},
                       LegacyMeta{1234567, 42, 1795286315897}}) {
    for (std::string payload :
         {std::string(), std::string("v"), std::string("\xF8\xFB\0x", 4)}) {
      std::string stored;
      EncodeLegacyValue(m, payload, &stored);
      LegacyMeta got;
      std::string_view p;
      DecodeLegacyValue(stored, &got, &p);
      EXPECT_EQ(got.cas, m.cas);
      EXPECT_EQ(got.flags, m.flags);
      EXPECT_EQ(got.expire_at_ms, m.expire_at_ms);
      EXPECT_EQ(p, payload);
    }
  }
}

TEST(LegacyValueTest, SmallOverhead) {
  std::string stored;
  EncodeLegacyValue(LegacyMeta{1795286315897001ull, 0, 0}, "abc", &stored);
  EXPECT_EQ(stored.size(), 1 + 8 + 3u);
}

TEST(LegacyValueTest, ForeignValuesAreBarePayloads) {
  for (std::string v : {std::string("plain text"), std::string(),
                        std::string("\xF8"), std::string("\xF9\x80")}) {
    LegacyMeta m;
    std::string_view p;
    DecodeLegacyValue(v, &m, &p);
    EXPECT_EQ(p, v);
    EXPECT_EQ(m.cas, 0u);
  }
}

}  // namespace
}  // namespace shale::server
