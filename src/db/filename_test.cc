#include "db/filename.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "shale/env.h"

namespace shale {
namespace {

// Just enough of an Env for CURRENT: files in a map, and a journal of the
// operations that matter for durability.
class JournalEnv final : public Env {
 public:
  class File final : public WritableFile {
   public:
    File(JournalEnv* env, std::string path) : env_(env), path_(path) {}
    Status Append(std::string_view data) override {
      env_->files_[path_].append(data);
      return Status::OK();
    }
    Status Flush() override { return Status::OK(); }
    Status Sync() override {
      env_->journal_.push_back("sync " + path_);
      return env_->fail_sync_ ? Status::IOError("injected sync failure")
                              : Status::OK();
    }
    Status Close() override { return Status::OK(); }
    uint64_t Size() const override { return env_->files_[path_].size(); }

   private:
    JournalEnv* const env_;
    const std::string path_;
  };
  class Source final : public SequentialFile {
   public:
    explicit Source(std::string data) : data_(std::move(data)) {}
    Status Read(size_t n, std::string_view* result, char* scratch) override {
      n = std::min(n, data_.size() - pos_);
      data_.copy(scratch, n, pos_);
      pos_ += n;
      *result = std::string_view(scratch, n);
      return Status::OK();
    }
    Status Skip(uint64_t n) override {
      pos_ += std::min<uint64_t>(n, data_.size() - pos_);
      return Status::OK();
    }

   private:
    std::string data_;
    size_t pos_ = 0;
  };

  Status NewSequentialFile(const std::string& path,
                           std::unique_ptr<SequentialFile>* result) override {
    auto it = files_.find(path);
    if (it == files_.end()) return Status::NotFound(path);
    *result = std::make_unique<Source>(it->second);
    return Status::OK();
  }
  Status NewRandomAccessFile(const std::string&,
                             std::unique_ptr<RandomAccessFile>*) override {
    return Status::NotSupported("JournalEnv");
  }
  Status NewWritableFile(const std::string& path,
                         std::unique_ptr<WritableFile>* result) override {
    if (fail_create_) return Status::IOError("injected create failure");
    files_[path].clear();
    journal_.push_back("create " + path);
    *result = std::make_unique<File>(this, path);
    return Status::OK();
  }
  Status NewAppendableFile(const std::string& path,
                           std::unique_ptr<WritableFile>* result) override {
    *result = std::make_unique<File>(this, path);
    return Status::OK();
  }
  bool FileExists(const std::string& path) override {
    return files_.count(path) > 0;
  }
  Status GetChildren(const std::string&, std::vector<std::string>*) override {
    return Status::NotSupported("JournalEnv");
  }
  Status RemoveFile(const std::string& path) override {
    journal_.push_back("remove " + path);
    return files_.erase(path) ? Status::OK() : Status::NotFound(path);
  }
  Status CreateDir(const std::string&) override { return Status::OK(); }
  Status RemoveDir(const std::string&) override { return Status::OK(); }
  Status GetFileSize(const std::string& path, uint64_t* size) override {
    *size = files_[path].size();
    return Status::OK();
  }
  Status RenameFile(const std::string& src,
                    const std::string& target) override {
    journal_.push_back("rename " + src + " " + target);
    files_[target] = files_[src];
    files_.erase(src);
    return Status::OK();
  }
  Status SyncDir(const std::string& dir) override {
    journal_.push_back("syncdir " + dir);
    return fail_syncdir_ ? Status::IOError("injected syncdir failure")
                         : Status::OK();
  }
  Status LockFile(const std::string&, std::unique_ptr<FileLock>*) override {
    return Status::NotSupported("JournalEnv");
  }
  uint64_t NowMicros() override { return 0; }
  uint64_t NowUnixMillis() override { return 0; }
  void SleepForMicros(uint64_t) override {}

  std::map<std::string, std::string> files_;
  std::vector<std::string> journal_;
  bool fail_sync_ = false;
  bool fail_create_ = false;
  bool fail_syncdir_ = false;
};

TEST(FileNameTest, Construct) {
  EXPECT_EQ("db/000123.log", LogFileName("db", 123));
  EXPECT_EQ("db/000007.sst", TableFileName("db", 7));
  EXPECT_EQ("db/000008.vlog", VlogFileName("db", 8));
  EXPECT_EQ("db/000009.dbtmp", TempFileName("db", 9));
  EXPECT_EQ("db/MANIFEST-000005", DescriptorFileName("db", 5));
  EXPECT_EQ("db/1234567.log", LogFileName("db", 1234567));
  EXPECT_EQ("/a/b/CURRENT", CurrentFileName("/a/b"));
  EXPECT_EQ("db/LOCK", LockFileName("db"));
  EXPECT_EQ("db/LOG", InfoLogFileName("db"));
  EXPECT_EQ("db/18446744073709551615.sst", TableFileName("db", UINT64_MAX));
}

TEST(FileNameTest, Parse) {
  static const struct {
    const char* name;
    uint64_t number;
    FileType type;
  } kCases[] = {
      {"100.log", 100, FileType::kLogFile},
      {"0.log", 0, FileType::kLogFile},
      {"000123.sst", 123, FileType::kTableFile},
      {"42.vlog", 42, FileType::kVlogFile},
      {"7.dbtmp", 7, FileType::kTempFile},
      {"MANIFEST-000005", 5, FileType::kDescriptorFile},
      {"MANIFEST-18446744073709551615", UINT64_MAX, FileType::kDescriptorFile},
      {"18446744073709551615.log", UINT64_MAX, FileType::kLogFile},
      {"CURRENT", 0, FileType::kCurrentFile},
      {"LOCK", 0, FileType::kLockFile},
      {"LOG", 0, FileType::kInfoLogFile},
  };
  for (const auto& c : kCases) {
    uint64_t number = 999;
    FileType type = FileType::kLockFile;
    ASSERT_TRUE(ParseFileName(c.name, &number, &type)) << c.name;
    EXPECT_EQ(c.number, number) << c.name;
    EXPECT_EQ(c.type, type) << c.name;
  }
}

TEST(FileNameTest, RoundTrip) {
  for (uint64_t n : {uint64_t{0}, uint64_t{1}, uint64_t{999999},
                     uint64_t{1000000}, UINT64_MAX}) {
    const std::string names[] = {LogFileName("d", n), TableFileName("d", n),
                                 VlogFileName("d", n), TempFileName("d", n),
                                 DescriptorFileName("d", n)};
    const FileType types[] = {FileType::kLogFile, FileType::kTableFile,
                              FileType::kVlogFile, FileType::kTempFile,
                              FileType::kDescriptorFile};
    for (int i = 0; i < 5; i++) {
      uint64_t number;
      FileType type;
      ASSERT_TRUE(ParseFileName(names[i].substr(2), &number, &type))
          << names[i];
      EXPECT_EQ(n, number);
      EXPECT_EQ(types[i], type);
    }
  }
}

TEST(FileNameTest, RejectsJunk) {
  for (const char* name : {
           "",
           "foo",
           "foo-dx-100.log",
           ".log",
           "100",
           "100.",
           "100.log.x",
           "100.logx",
           "100.LOG",
           "-1.log",
           "+1.log",
           " 1.log",
           "1 .log",
           "0x10.log",
           "18446744073709551616.log",  // UINT64_MAX + 1
           "99999999999999999999.sst",  // overflows
           "MANIFEST",
           "MANIFEST-",
           "MANIFEST-x",
           "MANIFEST-3x",
           "MANIFEST-18446744073709551616",
           "CURRENTX",
           "LOCK.old",
           "current",
           "LOG.old",
       }) {
    uint64_t number;
    FileType type;
    EXPECT_FALSE(ParseFileName(name, &number, &type)) << "'" << name << "'";
  }
}

TEST(CurrentFileTest, SetAndRead) {
  JournalEnv env;
  ASSERT_TRUE(SetCurrentFile(&env, "db", 5).ok());
  EXPECT_EQ("MANIFEST-000005\n", env.files_["db/CURRENT"]);
  EXPECT_EQ(1u, env.files_.size());  // the temp file is gone
  const std::vector<std::string> want = {
      "create db/000005.dbtmp", "sync db/000005.dbtmp",
      "rename db/000005.dbtmp db/CURRENT", "syncdir db"};
  EXPECT_EQ(want, env.journal_);
  uint64_t number = 0;
  ASSERT_TRUE(ReadCurrentFile(&env, "db", &number).ok());
  EXPECT_EQ(5u, number);

  ASSERT_TRUE(SetCurrentFile(&env, "db", 1234567).ok());
  ASSERT_TRUE(ReadCurrentFile(&env, "db", &number).ok());
  EXPECT_EQ(1234567u, number);
}

TEST(CurrentFileTest, FailedSyncLeavesCurrentAlone) {
  JournalEnv env;
  ASSERT_TRUE(SetCurrentFile(&env, "db", 5).ok());
  env.fail_sync_ = true;
  EXPECT_TRUE(SetCurrentFile(&env, "db", 6).IsIOError());
  EXPECT_EQ("MANIFEST-000005\n", env.files_["db/CURRENT"]);
  EXPECT_FALSE(env.FileExists("db/000006.dbtmp"));
}

TEST(CurrentFileTest, FailedCreateLeavesCurrentAlone) {
  JournalEnv env;
  ASSERT_TRUE(SetCurrentFile(&env, "db", 5).ok());
  env.fail_create_ = true;
  bool renamed = true;
  EXPECT_TRUE(SetCurrentFile(&env, "db", 6, &renamed).IsIOError());
  EXPECT_FALSE(renamed);
  EXPECT_EQ("MANIFEST-000005\n", env.files_["db/CURRENT"]);
  EXPECT_FALSE(env.FileExists("db/000006.dbtmp"));
}

TEST(CurrentFileTest, FailedDirSyncIsReportedAsRenamed) {
  JournalEnv env;
  ASSERT_TRUE(SetCurrentFile(&env, "db", 5).ok());
  env.fail_sync_ = true;
  bool renamed = true;
  EXPECT_TRUE(SetCurrentFile(&env, "db", 6, &renamed).IsIOError());
  EXPECT_FALSE(renamed);
  env.fail_sync_ = false;
  env.fail_syncdir_ = true;
  EXPECT_TRUE(SetCurrentFile(&env, "db", 7, &renamed).IsIOError());
  EXPECT_TRUE(renamed);  // CURRENT names the new MANIFEST already
  EXPECT_EQ("MANIFEST-000007\n", env.files_["db/CURRENT"]);
  env.fail_syncdir_ = false;
  ASSERT_TRUE(SetCurrentFile(&env, "db", 8, &renamed).ok());
  EXPECT_TRUE(renamed);
}

TEST(CurrentFileTest, ReadRejectsBadContents) {
  JournalEnv env;
  uint64_t number;
  EXPECT_TRUE(ReadCurrentFile(&env, "db", &number).IsNotFound());
  for (const std::string& bad :
       {std::string(""), std::string("MANIFEST-000005"),
        std::string("MANIFEST-000005\n\n"), std::string("000005.log\n"),
        std::string("MANIFEST-\n"), std::string(100, 'x') + "\n"}) {
    env.files_["db/CURRENT"] = bad;
    EXPECT_TRUE(ReadCurrentFile(&env, "db", &number).IsCorruption()) << bad;
  }
}

}  // namespace
}  // namespace shale
