#include <gtest/gtest.h>

#include "server/redis/command.h"

namespace shale::server {
namespace {

// The (database, key) pairs the dispatcher locks for args, run in db.
std::vector<std::pair<int, std::string>> Locked(const Args& args, int db) {
  const Command* cmd = ResolveCommand(args);
  EXPECT_NE(cmd, nullptr) << args[0];
  std::vector<Tx::DbKey> keys;
  if (cmd != nullptr) CommandKeys(*cmd, args, db, &keys);
  std::vector<std::pair<int, std::string>> out;
  for (const Tx::DbKey& k : keys) out.emplace_back(k.db, std::string(k.key));
  return out;
}

using Keys = std::vector<std::pair<int, std::string>>;

TEST(CommandKeysTest, TableKeyPositions) {
  EXPECT_EQ(Locked({"set", "a", "1"}, 3), (Keys{{3, "a"}}));
  EXPECT_EQ(Locked({"mset", "a", "1", "b", "2"}, 0),
            (Keys{{0, "a"}, {0, "b"}}));
  EXPECT_EQ(Locked({"bitop", "and", "d", "x", "y"}, 1),
            (Keys{{1, "d"}, {1, "x"}, {1, "y"}}));
}

// MOVE and COPY ... DB write a key in another database: that database's
// stripe of the key is locked too, or a writer there could interleave.
TEST(CommandKeysTest, MoveAndCopyLockTheTargetDatabase) {
  EXPECT_EQ(Locked({"move", "k", "5"}, 0), (Keys{{0, "k"}, {5, "k"}}));
  EXPECT_EQ(Locked({"move", "k", "x"}, 0), (Keys{{0, "k"}}));
  EXPECT_EQ(Locked({"copy", "a", "b"}, 2), (Keys{{2, "a"}, {2, "b"}}));
  EXPECT_EQ(Locked({"copy", "a", "b", "DB", "7"}, 2),
            (Keys{{2, "a"}, {2, "b"}, {7, "b"}}));
  EXPECT_EQ(Locked({"copy", "a", "b", "replace", "db", "1"}, 0),
            (Keys{{0, "a"}, {0, "b"}, {1, "b"}}));
  EXPECT_EQ(Locked({"copy", "a", "b", "DB", "-1"}, 0),
            (Keys{{0, "a"}, {0, "b"}}));
  EXPECT_EQ(Locked({"copy", "a", "b", "DB"}, 0), (Keys{{0, "a"}, {0, "b"}}));
}

// The numkeys forms lock the keys numkeys names (no more than the
// arguments hold), and a *STORE command its destination too.
TEST(CommandKeysTest, NumkeysForms) {
  EXPECT_EQ(Locked({"zunionstore", "d", "2", "a", "b", "WEIGHTS", "1", "2"}, 0),
            (Keys{{0, "d"}, {0, "a"}, {0, "b"}}));
  EXPECT_EQ(Locked({"zinterstore", "d", "1", "a", "b"}, 1),
            (Keys{{1, "d"}, {1, "a"}}));
  EXPECT_EQ(Locked({"zdiffstore", "d", "5", "a"}, 0),
            (Keys{{0, "d"}, {0, "a"}}));
  EXPECT_EQ(Locked({"zmpop", "2", "a", "b", "MIN", "COUNT", "2"}, 0),
            (Keys{{0, "a"}, {0, "b"}}));
  EXPECT_EQ(Locked({"zmpop", "x", "a", "MIN"}, 0), (Keys{}));
  EXPECT_EQ(Locked({"zmpop", "-1", "a", "MIN"}, 0), (Keys{}));
  EXPECT_EQ(Locked({"zunion", "2", "a", "b"}, 0), (Keys{{0, "a"}, {0, "b"}}));
  EXPECT_EQ(Locked({"zrangestore", "d", "s", "0", "-1"}, 0),
            (Keys{{0, "d"}, {0, "s"}}));
  EXPECT_EQ(Locked({"lmpop", "2", "a", "b", "left"}, 1),
            (Keys{{1, "a"}, {1, "b"}}));
  EXPECT_EQ(Locked({"lmpop", "9", "a", "left"}, 0),
            (Keys{{0, "a"}, {0, "left"}}));
  EXPECT_EQ(Locked({"lmpop", "x", "a", "left"}, 0), (Keys{}));
}

// SORT ... STORE writes its destination: it is locked with the source.
TEST(CommandKeysTest, SortLocksItsStoreDestination) {
  EXPECT_EQ(Locked({"sort", "src", "ALPHA", "STORE", "dst"}, 2),
            (Keys{{2, "src"}, {2, "dst"}}));
  EXPECT_EQ(Locked({"sort", "src", "by", "w_*"}, 0), (Keys{{0, "src"}}));
}

}  // namespace
}  // namespace shale::server
