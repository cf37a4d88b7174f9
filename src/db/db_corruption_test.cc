// Damaged files give Status::Corruption naming the file: never a crash and
// never a wrong value.
#include <gtest/gtest.h>

#include "testing/db_test_util.h"
#include "testing/test_util.h"

namespace shale {
namespace {

class DBCorruptionTest : public test::DBTestBase {
 protected:
  // Paths of the DB's files whose name ends with suffix (or starts with it,
  // for "MANIFEST-").
  std::vector<std::string> Files(const std::string& pattern) {
    std::vector<std::string> children, out;
    EXPECT_TRUE(env_->GetChildren(dbname_, &children).ok());
    for (const auto& c : children) {
      if (c.ends_with(pattern) || c.starts_with(pattern)) {
        out.push_back(dbname_ + "/" + c);
      }
    }
    return out;
  }
  uint64_t Size(const std::string& path) {
    uint64_t size = 0;
    EXPECT_TRUE(env_->GetFileSize(path, &size).ok());
    return size;
  }
  void Fill(int n, int value_size = 100) {
    for (int i = 0; i < n; i++) {
      char key[16];
      std::snprintf(key, sizeof(key), "k%06d", i);
      ASSERT_TRUE(Put(key, std::string(value_size, 'a' + i % 26)).ok());
    }
  }
  std::string ValueFor(int i, int value_size = 100) {
    return std::string(value_size, 'a' + i % 26);
  }
  // Reads every key: each must be right, absent, or a Corruption naming
  // file. Returns how many were reported corrupt.
  int CheckReads(int n, const std::string& file) {
    int corrupt = 0;
    for (int i = 0; i < n; i++) {
      char key[16];
      std::snprintf(key, sizeof(key), "k%06d", i);
      std::string v;
      Status s = db_->Get(ReadOptions(), key, &v);
      if (s.ok()) {
        EXPECT_EQ(v, ValueFor(i)) << key;
      } else {
        EXPECT_TRUE(s.IsCorruption()) << key << ": " << s.ToString();
        EXPECT_NE(s.ToString().find(file.substr(file.rfind('/') + 1)),
                  std::string::npos)
            << s.ToString();
        corrupt++;
      }
    }
    return corrupt;
  }
};

TEST_F(DBCorruptionTest, FlippedByteInDataBlock) {
  Fill(1000);
  ASSERT_TRUE(db_->Flush().ok());
  Close();
  auto tables = Files(".sst");
  ASSERT_EQ(tables.size(), 1u);
  ASSERT_TRUE(env_->CorruptByte(tables[0], 20, 0x40).ok());
  Reopen();
  EXPECT_GT(CheckReads(1000, tables[0]), 0);
  auto iter = db_->NewIterator(ReadOptions());
  int seen = 0;
  for (iter->SeekToFirst(); iter->Valid(); iter->Next()) seen++;
  EXPECT_TRUE(iter->status().IsCorruption()) << iter->status().ToString();
  EXPECT_LT(seen, 1000);
}

TEST_F(DBCorruptionTest, FlippedByteInFooter) {
  Fill(100);
  ASSERT_TRUE(db_->Flush().ok());
  Close();
  auto tables = Files(".sst");
  ASSERT_EQ(tables.size(), 1u);
  ASSERT_TRUE(env_->CorruptByte(tables[0], Size(tables[0]) - 3, 0x01).ok());
  Reopen();
  EXPECT_EQ(CheckReads(100, tables[0]), 100);
  // With paranoid checks the damage is found at open.
  Close();
  Options o = CurrentOptions();
  o.paranoid_checks = true;
  Status s = TryOpen(o);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.ToString().find(".sst"), std::string::npos) << s.ToString();
}

TEST_F(DBCorruptionTest, EveryByteOfASmallTable) {
  // Sweep: a flipped byte anywhere in the table gives correct data or a
  // Corruption, never a crash or a wrong value.
  Fill(50, 20);
  ASSERT_TRUE(db_->Flush().ok());
  Close();
  auto tables = Files(".sst");
  ASSERT_EQ(tables.size(), 1u);
  std::string original;
  ASSERT_TRUE(env_->ReadFileToString(tables[0], &original).ok());
  for (uint64_t offset = 0; offset < original.size(); offset++) {
    ASSERT_TRUE(env_->CorruptByte(tables[0], offset, 0x80).ok());
    Reopen();
    for (int i = 0; i < 50; i++) {
      char key[16];
      std::snprintf(key, sizeof(key), "k%06d", i);
      std::string v;
      Status s = db_->Get(ReadOptions(), key, &v);
      if (s.ok()) {
        ASSERT_EQ(v, ValueFor(i, 20)) << "offset " << offset;
      } else {
        // A damaged filter may make a key look absent only if the filter is
        // never trusted over the data: absent keys must not occur.
        ASSERT_TRUE(s.IsCorruption())
            << "offset " << offset << ": " << s.ToString();
      }
    }
    Close();
    ASSERT_TRUE(env_->CorruptByte(tables[0], offset, 0x80).ok());  // undo
  }
}

TEST_F(DBCorruptionTest, FlippedByteInManifest) {
  Fill(10);
  ASSERT_TRUE(db_->Flush().ok());
  Fill(10);
  ASSERT_TRUE(db_->Flush().ok());
  Close();
  auto manifests = Files("MANIFEST-");
  ASSERT_EQ(manifests.size(), 1u);
  ASSERT_TRUE(env_->CorruptByte(manifests[0], 12, 0x10).ok());
  Status s = TryOpen(CurrentOptions());
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.ToString().find("MANIFEST-"), std::string::npos) << s.ToString();
}

TEST_F(DBCorruptionTest, FlippedByteInLastManifestRecordIsNotIgnored) {
  // The MANIFEST is synced after every record, so a complete record with a
  // bad checksum is damage, not a torn write: open must refuse.
  Fill(10);
  ASSERT_TRUE(db_->Flush().ok());
  Close();
  auto manifests = Files("MANIFEST-");
  ASSERT_EQ(manifests.size(), 1u);
  ASSERT_TRUE(
      env_->CorruptByte(manifests[0], Size(manifests[0]) - 2, 0x10).ok());
  Status s = TryOpen(CurrentOptions());
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

TEST_F(DBCorruptionTest, MissingTableFile) {
  Fill(10);
  ASSERT_TRUE(db_->Flush().ok());
  Close();
  auto tables = Files(".sst");
  ASSERT_EQ(tables.size(), 1u);
  ASSERT_TRUE(env_->RemoveFile(tables[0]).ok());
  Status s = TryOpen(CurrentOptions());
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.ToString().find(".sst"), std::string::npos);
}

TEST_F(DBCorruptionTest, FlippedByteInMiddleOfWal) {
  options_.write_buffer_size = 8 << 20;
  Reopen();
  Fill(2000);  // spans many 32 KiB WAL blocks, stays in the memtable
  Close();
  auto logs = Files(".log");
  ASSERT_EQ(logs.size(), 1u);
  ASSERT_GT(Size(logs[0]), 100000u);
  ASSERT_TRUE(env_->CorruptByte(logs[0], 1000, 0x01).ok());
  Status s = TryOpen(CurrentOptions());
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.ToString().find(".log"), std::string::npos) << s.ToString();
  // Best-effort recovery opens and keeps what is intact.
  Options o = CurrentOptions();
  o.wal_recovery_mode = WalRecoveryMode::kSkipAnyCorruptedRecords;
  Reopen(o);
  int present = 0;
  for (int i = 0; i < 2000; i++) {
    char key[16];
    std::snprintf(key, sizeof(key), "k%06d", i);
    std::string v = Get(key);
    if (v != "NOT_FOUND") {
      ASSERT_EQ(v, ValueFor(i));
      present++;
    }
  }
  // The damaged record and the rest of its 32 KiB block are lost (the reader
  // resynchronizes at the next block), nothing more.
  EXPECT_GT(present, 2000 - 32768 / 100);
  EXPECT_LT(present, 2000);
}

TEST_F(DBCorruptionTest, TornWalTailIsDropped) {
  Fill(100);
  Close();
  auto logs = Files(".log");
  ASSERT_EQ(logs.size(), 1u);
  uint64_t size = Size(logs[0]);
  ASSERT_TRUE(env_->TruncateFile(logs[0], size - 5).ok());
  Reopen();
  // The last write is gone; every earlier one is intact.
  EXPECT_EQ(Get("k000099"), "NOT_FOUND");
  EXPECT_EQ(Get("k000098"), ValueFor(98));
  EXPECT_EQ(Get("k000000"), ValueFor(0));
}

TEST_F(DBCorruptionTest, GarbageAfterWalTailIsDropped) {
  Fill(100);
  Close();
  auto logs = Files(".log");
  ASSERT_EQ(logs.size(), 1u);
  uint64_t size = Size(logs[0]);
  ASSERT_TRUE(env_->TruncateFile(logs[0], size + 3000).ok());  // zeros
  Reopen();
  EXPECT_EQ(Get("k000099"), ValueFor(99));
}

}  // namespace
}  // namespace shale
