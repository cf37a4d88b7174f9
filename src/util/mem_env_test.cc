// MemEnv as an Env: files, directories, locks, the clock, file surgery.
#include "util/mem_env.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "util/mem_env_test_util.h"
#include "util/random.h"

namespace shale {
namespace {

TEST_F(MemEnvTest, WriteReadAndAppend) {
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(env_.NewWritableFile("/db/000001.log", &file).ok());
  ASSERT_TRUE(file->Append("hello ").ok());
  EXPECT_EQ(Contents("/db/000001.log"), "");  // not flushed yet
  uint64_t size = 99;
  ASSERT_TRUE(env_.GetFileSize("/db/000001.log", &size).ok());
  EXPECT_EQ(size, 0u);
  ASSERT_TRUE(file->Append("world").ok());
  EXPECT_EQ(file->Size(), 11u);
  ASSERT_TRUE(file->Flush().ok());
  EXPECT_EQ(Contents("/db/000001.log"), "hello world");
  ASSERT_TRUE(file->Close().ok());
  EXPECT_TRUE(file->Append("x").IsIOError());

  std::unique_ptr<SequentialFile> seq;
  ASSERT_TRUE(env_.NewSequentialFile("/db/000001.log", &seq).ok());
  char scratch[16];
  std::string_view got;
  ASSERT_TRUE(seq->Read(5, &got, scratch).ok());
  EXPECT_EQ(got, "hello");
  ASSERT_TRUE(seq->Skip(1).ok());
  ASSERT_TRUE(seq->Read(16, &got, scratch).ok());
  EXPECT_EQ(got, "world");
  ASSERT_TRUE(seq->Read(16, &got, scratch).ok());
  EXPECT_TRUE(got.empty());

  std::unique_ptr<RandomAccessFile> ra;
  ASSERT_TRUE(env_.NewRandomAccessFile("/db/000001.log", &ra).ok());
  ASSERT_TRUE(ra->Read(6, 100, &got, scratch).ok());
  EXPECT_EQ(got, "world");
  ASSERT_TRUE(ra->Read(50, 10, &got, scratch).ok());
  EXPECT_TRUE(got.empty());

  AppendFile("/db/000001.log", "!", false);
  EXPECT_EQ(Contents("/db/000001.log"), "hello world!");
  WriteFile("/db/000001.log", "new", false);  // truncates
  EXPECT_EQ(Contents("/db/000001.log"), "new");
}

TEST_F(MemEnvTest, LinkFileNamesTheSameInode) {
  WriteFile("/db/a", "shared", true);
  ASSERT_TRUE(env_.LinkFile("/db/a", "/other/b").IsIOError());  // no dir
  ASSERT_TRUE(env_.CreateDir("/other").ok());
  ASSERT_TRUE(env_.LinkFile("/db/a", "/other/b").ok());
  EXPECT_EQ(Contents("/other/b"), "shared");
  AppendFile("/db/a", "+", false);
  EXPECT_EQ(Contents("/other/b"), "shared+");
  ASSERT_TRUE(env_.RemoveFile("/db/a").ok());
  EXPECT_EQ(Contents("/other/b"), "shared+");
  EXPECT_TRUE(env_.LinkFile("/other/b", "/other/b").IsIOError());  // exists
  EXPECT_TRUE(env_.LinkFile("/db/gone", "/other/c").IsIOError());
  EXPECT_TRUE(env_.LinkFile("/other", "/db/d").IsIOError());  // a directory
  // Counted and failed as a rename.
  env_.InjectFault({FaultOp::kRename, "/other/e"});
  EXPECT_TRUE(env_.LinkFile("/other/b", "/other/e").IsIOError());
  EXPECT_FALSE(env_.FileExists("/other/e"));
}

TEST_F(MemEnvTest, PathsAndChildren) {
  WriteFile("/db/000001.log", "a", false);
  WriteFile("db//CURRENT", "b", false);  // relative and doubled slash
  WriteFile("/db/sub/./x", "c", false);
  ASSERT_TRUE(env_.CreateDir("/db/empty/").ok());
  ASSERT_TRUE(env_.CreateDir("/db/empty").ok());
  WriteFile("/db-other/y", "d", false);  // sorts between /db and /db/...

  EXPECT_EQ(Contents("/db/CURRENT"), "b");
  EXPECT_EQ(Contents("/db/sub/../CURRENT"), "b");
  EXPECT_EQ(Children("/db"), (Names{"000001.log", "CURRENT", "empty", "sub"}));
  EXPECT_EQ(Children("db/"), Children("/db"));
  EXPECT_EQ(Children("/"), (Names{"db", "db-other"}));
  EXPECT_EQ(Children("/db/sub"), (Names{"x"}));
  EXPECT_TRUE(env_.FileExists("/db"));
  EXPECT_TRUE(env_.FileExists("/db/000001.log"));
  EXPECT_FALSE(env_.FileExists("/db/000002.log"));

  std::vector<std::string> children;
  Status s = env_.GetChildren("/nope", &children);
  EXPECT_TRUE(s.IsIOError());
  EXPECT_NE(s.message().find("/nope"), std::string::npos);
  EXPECT_TRUE(env_.GetChildren("/db/CURRENT", &children).IsIOError());
  EXPECT_TRUE(env_.CreateDir("/db/CURRENT").IsIOError());
  std::unique_ptr<WritableFile> file;
  EXPECT_TRUE(env_.NewWritableFile("/db/CURRENT/x", &file).IsIOError());
  EXPECT_TRUE(env_.NewWritableFile("/db/sub", &file).IsIOError());

  EXPECT_TRUE(env_.RemoveDir("/db/sub").IsIOError());  // not empty
  EXPECT_TRUE(env_.RemoveDir("/db").IsIOError());      // has subdirectories
  ASSERT_TRUE(env_.RemoveFile("/db/sub/x").ok());
  ASSERT_TRUE(env_.RemoveDir("/db/sub").ok());
  EXPECT_FALSE(env_.FileExists("/db/sub"));
  EXPECT_TRUE(env_.RemoveDir("/").IsIOError());
}

TEST_F(MemEnvTest, MissingFileErrorsNameThePath) {
  std::unique_ptr<SequentialFile> seq;
  std::unique_ptr<RandomAccessFile> ra;
  uint64_t size;
  for (Status s :
       {env_.NewSequentialFile("/db/missing", &seq),
        env_.NewRandomAccessFile("/db/missing", &ra),
        env_.GetFileSize("/db/missing", &size), env_.RemoveFile("/db/missing"),
        env_.RenameFile("/db/missing", "/db/other")}) {
    EXPECT_TRUE(s.IsIOError());
    EXPECT_NE(s.message().find("/db/missing"), std::string::npos)
        << s.ToString();
  }
}

TEST_F(MemEnvTest, RenameReplacesTarget) {
  WriteFile("/db/a", "new", false);
  WriteFile("/db/b", "old", false);
  ASSERT_TRUE(env_.RenameFile("/db/a", "/db/b").ok());
  EXPECT_EQ(Children("/db"), (Names{"b"}));
  EXPECT_EQ(Contents("/db/b"), "new");
  ASSERT_TRUE(env_.RenameFile("/db/b", "/db/b").ok());
  EXPECT_EQ(Contents("/db/b"), "new");
}

TEST_F(MemEnvTest, LockIsExclusive) {
  std::unique_ptr<FileLock> lock;
  ASSERT_TRUE(env_.LockFile("/db/LOCK", &lock).ok());
  EXPECT_TRUE(env_.FileExists("/db/LOCK"));
  std::unique_ptr<FileLock> again;
  Status s = env_.LockFile("/db/LOCK", &again);
  EXPECT_TRUE(s.IsBusy());
  EXPECT_EQ(s.message(), "lock /db/LOCK: already held");
  EXPECT_TRUE(env_.LockFile("db/./LOCK", &again).IsBusy());
  lock.reset();
  EXPECT_TRUE(env_.LockFile("/db/LOCK", &again).ok());
}

TEST_F(MemEnvTest, OpeningIntoAFullPointerReplacesTheOldObject) {
  // The old writer closes (flushing) and the old lock is released as the
  // pointers are overwritten, which must not deadlock on the env's mutex.
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(env_.NewWritableFile("/a", &file).ok());
  ASSERT_TRUE(file->Append("a").ok());
  ASSERT_TRUE(env_.NewWritableFile("/b", &file).ok());
  EXPECT_EQ(Contents("/a"), "a");
  std::unique_ptr<FileLock> lock;
  ASSERT_TRUE(env_.LockFile("/LOCK1", &lock).ok());
  ASSERT_TRUE(env_.LockFile("/LOCK2", &lock).ok());
  std::unique_ptr<FileLock> other;
  EXPECT_TRUE(env_.LockFile("/LOCK1", &other).ok());
}

TEST_F(MemEnvTest, ConcurrentRandomReads) {
  std::string data;
  for (int i = 0; i < 10000; i++) data += std::to_string(i);
  WriteFile("/f", data, false);
  std::unique_ptr<RandomAccessFile> in;
  ASSERT_TRUE(env_.NewRandomAccessFile("/f", &in).ok());
  std::vector<int> failures(2, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; t++) {
    threads.emplace_back([&, t] {
      Random rnd(t + 1);
      char scratch[100];
      for (int i = 0; i < 2000; i++) {
        uint64_t offset = rnd.Uniform(data.size() - 100);
        std::string_view got;
        if (!in->Read(offset, 100, &got, scratch).ok() ||
            got != std::string_view(data).substr(offset, 100)) {
          failures[t]++;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures[0] + failures[1], 0);
}

TEST_F(MemEnvTest, FakeClock) {
  uint64_t real = env_.NowUnixMillis();
  EXPECT_GT(real, uint64_t{1600000000000});
  EXPECT_LE(real, Env::Default()->NowUnixMillis());
  env_.SetUnixMillis(1000);
  EXPECT_EQ(env_.NowUnixMillis(), 1000u);
  env_.AdvanceMillis(234);
  EXPECT_EQ(env_.NowUnixMillis(), 1234u);

  MemEnv other;
  other.AdvanceMillis(60000);  // starts from the real time
  EXPECT_GE(other.NowUnixMillis(), real + 60000);
  EXPECT_LT(other.NowUnixMillis(), real + 120000);
}

TEST_F(MemEnvTest, FileSurgery) {
  WriteFile("/f", "abcdef", true);
  ASSERT_TRUE(env_.CorruptByte("/f", 1, 0x20).ok());
  EXPECT_EQ(Contents("/f"), "aBcdef");
  EXPECT_TRUE(env_.CorruptByte("/f", 6, 1).IsInvalidArgument());
  EXPECT_TRUE(env_.CorruptByte("/g", 0, 1).IsIOError());
  ASSERT_TRUE(env_.TruncateFile("/f", 3).ok());
  EXPECT_EQ(Contents("/f"), "aBc");
  ASSERT_TRUE(env_.TruncateFile("/f", 5).ok());
  EXPECT_EQ(Contents("/f"), std::string("aBc\0\0", 5));
  SyncDir("/");
  env_.SimulateCrash();  // surgery counts as durable
  EXPECT_EQ(Contents("/f"), std::string("aBc\0\0", 5));
  std::string data = "junk";
  EXPECT_TRUE(env_.ReadFileToString("/g", &data).IsIOError());
  EXPECT_TRUE(data.empty());
}

}  // namespace
}  // namespace shale
