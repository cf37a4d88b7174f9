#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "shale/env.h"
#include "testing/test_util.h"
#include "util/random.h"

namespace shale {
namespace {

class EnvPosixTest : public testing::Test {
 protected:
  EnvPosixTest()
      : env_(Env::Default()),
        dir_(test::NewTempDir(
            testing::UnitTest::GetInstance()->current_test_info()->name())) {}

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  void WriteFile(const std::string& path, const std::string& data) {
    std::unique_ptr<WritableFile> file;
    ASSERT_TRUE(env_->NewWritableFile(path, &file).ok());
    ASSERT_TRUE(file->Append(data).ok());
    ASSERT_TRUE(file->Close().ok());
  }

  std::string ReadFile(const std::string& path) {
    std::unique_ptr<SequentialFile> file;
    Status s = env_->NewSequentialFile(path, &file);
    EXPECT_TRUE(s.ok()) << s.ToString();
    if (!s.ok()) return "<error>";
    std::string out;
    char scratch[1000];
    for (;;) {
      std::string_view chunk;
      EXPECT_TRUE(file->Read(sizeof(scratch), &chunk, scratch).ok());
      out.append(chunk);
      if (chunk.size() < sizeof(scratch)) return out;
    }
  }

  Env* const env_;
  const std::string dir_;
};

TEST_F(EnvPosixTest, WriteThenReadSequentially) {
  std::string path = Path("f");
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(env_->NewWritableFile(path, &file).ok());
  ASSERT_TRUE(file->Append("hello ").ok());
  ASSERT_TRUE(file->Append("world").ok());
  EXPECT_EQ(file->Size(), 11u);
  ASSERT_TRUE(file->Sync().ok());
  ASSERT_TRUE(file->Close().ok());
  EXPECT_TRUE(file->Close().ok());  // closing twice is harmless
  EXPECT_TRUE(file->Append("x").IsIOError());

  uint64_t size = 0;
  ASSERT_TRUE(env_->GetFileSize(path, &size).ok());
  EXPECT_EQ(size, 11u);

  std::unique_ptr<SequentialFile> in;
  ASSERT_TRUE(env_->NewSequentialFile(path, &in).ok());
  char scratch[16];
  std::string_view got;
  ASSERT_TRUE(in->Read(5, &got, scratch).ok());
  EXPECT_EQ(got, "hello");
  ASSERT_TRUE(in->Skip(1).ok());
  ASSERT_TRUE(in->Read(16, &got, scratch).ok());
  EXPECT_EQ(got, "world");
  ASSERT_TRUE(in->Read(16, &got, scratch).ok());
  EXPECT_TRUE(got.empty());
}

TEST_F(EnvPosixTest, AppendIsBufferedUntilFlush) {
  std::string path = Path("f");
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(env_->NewWritableFile(path, &file).ok());
  ASSERT_TRUE(file->Append("abc").ok());
  uint64_t size = 99;
  ASSERT_TRUE(env_->GetFileSize(path, &size).ok());
  EXPECT_EQ(size, 0u);
  ASSERT_TRUE(file->Flush().ok());
  ASSERT_TRUE(env_->GetFileSize(path, &size).ok());
  EXPECT_EQ(size, 3u);
  EXPECT_EQ(ReadFile(path), "abc");
}

TEST_F(EnvPosixTest, NewWritableFileTruncates) {
  std::string path = Path("f");
  WriteFile(path, "long old contents");
  WriteFile(path, "new");
  EXPECT_EQ(ReadFile(path), "new");
}

TEST_F(EnvPosixTest, ReuseWritableFileOverwritesInPlace) {
  WriteFile(Path("old"), "0123456789");
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(env_->ReuseWritableFile(Path("old"), Path("new"), &file).ok());
  EXPECT_FALSE(env_->FileExists(Path("old")));
  EXPECT_EQ(file->Size(), 0u);
  ASSERT_TRUE(file->Append("abc").ok());
  ASSERT_TRUE(file->Sync().ok());
  EXPECT_EQ(file->Size(), 3u);
  EXPECT_EQ(ReadFile(Path("new")), "abc3456789");
  ASSERT_TRUE(file->Append("defghijkl").ok());  // past the old end
  ASSERT_TRUE(file->Close().ok());
  EXPECT_EQ(ReadFile(Path("new")), "abcdefghijkl");
  // A missing source is an error naming it, and creates nothing.
  Status s = env_->ReuseWritableFile(Path("gone"), Path("x"), &file);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_FALSE(env_->FileExists(Path("x")));
}

TEST_F(EnvPosixTest, LinkFileSharesTheFile) {
  WriteFile(Path("a"), "shared");
  ASSERT_TRUE(env_->LinkFile(Path("a"), Path("b")).ok());
  EXPECT_EQ(ReadFile(Path("b")), "shared");
  ASSERT_TRUE(env_->RemoveFile(Path("a")).ok());
  EXPECT_EQ(ReadFile(Path("b")), "shared");  // the other name keeps it
  // An existing target or a missing source is an IOError, not NotSupported
  // (which means "copy instead").
  WriteFile(Path("c"), "c");
  Status s = env_->LinkFile(Path("b"), Path("c"));
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_EQ(ReadFile(Path("c")), "c");
  s = env_->LinkFile(Path("gone"), Path("d"));
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
}

TEST_F(EnvPosixTest, AppendableFileExtendsOrCreates) {
  std::string path = Path("f");
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(env_->NewAppendableFile(path, &file).ok());
  EXPECT_EQ(file->Size(), 0u);
  ASSERT_TRUE(file->Append("one").ok());
  ASSERT_TRUE(file->Close().ok());
  ASSERT_TRUE(env_->NewAppendableFile(path, &file).ok());
  EXPECT_EQ(file->Size(), 3u);
  ASSERT_TRUE(file->Append("two").ok());
  EXPECT_EQ(file->Size(), 6u);
  ASSERT_TRUE(file->Close().ok());
  EXPECT_EQ(ReadFile(path), "onetwo");
}

// Appends of every size around the 64 KiB buffer, then random reads.
TEST_F(EnvPosixTest, LargeFileRandomReads) {
  uint64_t seed = test::TestSeed();
  SCOPED_TRACE("seed=" + std::to_string(seed));
  Random rnd(seed);
  std::string path = Path("big");
  std::string expected;
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(env_->NewWritableFile(path, &file).ok());
  while (expected.size() < 6 * 1024 * 1024) {
    std::string chunk = test::RandomBytes(&rnd, rnd.Skewed(18));
    ASSERT_TRUE(file->Append(chunk).ok());
    expected += chunk;
    ASSERT_EQ(file->Size(), expected.size());
    if (rnd.OneIn(20)) {
      ASSERT_TRUE(file->Flush().ok());
    }
  }
  ASSERT_TRUE(file->Close().ok());
  EXPECT_EQ(ReadFile(path), expected);

  std::unique_ptr<RandomAccessFile> in;
  ASSERT_TRUE(env_->NewRandomAccessFile(path, &in).ok());
  std::vector<char> scratch(300000);
  for (int i = 0; i < 200; i++) {
    uint64_t offset = rnd.Uniform(expected.size() + 10);
    size_t n = rnd.Uniform(scratch.size());
    std::string_view got;
    ASSERT_TRUE(in->Read(offset, n, &got, scratch.data()).ok());
    size_t want = offset >= expected.size()
                      ? 0
                      : std::min<size_t>(n, expected.size() - offset);
    ASSERT_EQ(got.size(), want) << "offset " << offset;
    if (want > 0) {
      ASSERT_EQ(got, std::string_view(expected).substr(offset, n));
    }
  }
}

TEST_F(EnvPosixTest, ConcurrentRandomReads) {
  std::string path = Path("f");
  std::string data;
  for (int i = 0; i < 10000; i++) data += std::to_string(i);
  WriteFile(path, data);
  std::unique_ptr<RandomAccessFile> in;
  ASSERT_TRUE(env_->NewRandomAccessFile(path, &in).ok());
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

TEST_F(EnvPosixTest, ChildrenRemoveAndDirs) {
  WriteFile(Path("a"), "1");
  WriteFile(Path("b"), "2");
  ASSERT_TRUE(env_->CreateDir(Path("sub")).ok());
  ASSERT_TRUE(env_->CreateDir(Path("sub")).ok());  // exists: fine
  EXPECT_FALSE(env_->CreateDir(Path("a")).ok());   // a file is in the way
  std::vector<std::string> children;
  ASSERT_TRUE(env_->GetChildren(dir_, &children).ok());
  std::sort(children.begin(), children.end());
  EXPECT_EQ(children, (std::vector<std::string>{"a", "b", "sub"}));

  EXPECT_TRUE(env_->FileExists(Path("a")));
  ASSERT_TRUE(env_->RemoveFile(Path("a")).ok());
  EXPECT_FALSE(env_->FileExists(Path("a")));
  Status s = env_->RemoveFile(Path("a"));
  EXPECT_TRUE(s.IsIOError());
  EXPECT_NE(s.message().find(Path("a")), std::string::npos) << s.ToString();

  WriteFile(Path("sub/x"), "x");
  EXPECT_FALSE(env_->RemoveDir(Path("sub")).ok());  // not empty
  ASSERT_TRUE(env_->RemoveFile(Path("sub/x")).ok());
  ASSERT_TRUE(env_->RemoveDir(Path("sub")).ok());
  EXPECT_FALSE(env_->FileExists(Path("sub")));
  ASSERT_TRUE(env_->SyncDir(dir_).ok());
  EXPECT_TRUE(env_->SyncDir(Path("sub")).IsIOError());
  EXPECT_TRUE(env_->GetChildren(Path("sub"), &children).IsIOError());
}

TEST_F(EnvPosixTest, RenameReplacesTarget) {
  WriteFile(Path("src"), "new");
  WriteFile(Path("dst"), "old");
  ASSERT_TRUE(env_->RenameFile(Path("src"), Path("dst")).ok());
  EXPECT_FALSE(env_->FileExists(Path("src")));
  EXPECT_EQ(ReadFile(Path("dst")), "new");
  Status s = env_->RenameFile(Path("src"), Path("dst"));
  EXPECT_TRUE(s.IsIOError());
  EXPECT_NE(s.message().find(Path("src")), std::string::npos) << s.ToString();
}

TEST_F(EnvPosixTest, MissingFileErrorsNameThePath) {
  std::string path = Path("missing");
  std::unique_ptr<SequentialFile> seq;
  std::unique_ptr<RandomAccessFile> ra;
  uint64_t size;
  for (Status s :
       {env_->NewSequentialFile(path, &seq),
        env_->NewRandomAccessFile(path, &ra), env_->GetFileSize(path, &size)}) {
    EXPECT_TRUE(s.IsIOError());
    EXPECT_FALSE(s.IsNoSpace());
    EXPECT_NE(s.message().find(path), std::string::npos) << s.ToString();
    EXPECT_NE(s.message().find("No such file"), std::string::npos);
  }
  std::unique_ptr<WritableFile> w;
  Status s = env_->NewWritableFile(Path("nodir/f"), &w);
  EXPECT_TRUE(s.IsIOError());
  EXPECT_NE(s.message().find(Path("nodir/f")), std::string::npos);
}

TEST_F(EnvPosixTest, FullDeviceIsNoSpace) {
  if (!env_->FileExists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(env_->NewWritableFile("/dev/full", &file).ok());
  ASSERT_TRUE(file->Append("data").ok());  // buffered
  Status s = file->Flush();
  EXPECT_TRUE(s.IsNoSpace()) << s.ToString();
  EXPECT_TRUE(s.IsIOError());
  EXPECT_NE(s.message().find("/dev/full"), std::string::npos);
  EXPECT_TRUE(file->Close().IsNoSpace());  // the buffer is still unwritten
}

TEST_F(EnvPosixTest, LockIsExclusiveWithinTheProcess) {
  std::string path = Path("LOCK");
  std::unique_ptr<FileLock> lock;
  ASSERT_TRUE(env_->LockFile(path, &lock).ok());
  EXPECT_TRUE(env_->FileExists(path));

  std::unique_ptr<FileLock> again;
  Status s = env_->LockFile(path, &again);
  EXPECT_TRUE(s.IsBusy()) << s.ToString();
  EXPECT_EQ(s.message(), "lock " + path + ": already held by this process");
  // Another spelling of the same file is the same lock.
  s = env_->LockFile(dir_ + "/./LOCK", &again);
  EXPECT_TRUE(s.IsBusy()) << s.ToString();

  // The failed attempts must not have dropped the fcntl lock: a fresh
  // process (fork alone would inherit the in-process lock table) sees it.
  std::string marker = Path("child-ran");
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    setenv("SHALE_TEST_LOCK_PATH", path.c_str(), 1);
    setenv("SHALE_TEST_LOCK_MARKER", marker.c_str(), 1);
    execl("/proc/self/exe", "util_tests",
          "--gtest_filter=EnvPosixLockChild.SeesLockOfAnotherProcess",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the child did not see Busy";
  EXPECT_TRUE(env_->FileExists(marker)) << "the child test did not run";

  lock.reset();
  ASSERT_TRUE(env_->LockFile(path, &again).ok());
}

// Run only as the child process of LockIsExclusiveWithinTheProcess.
TEST(EnvPosixLockChild, SeesLockOfAnotherProcess) {
  const char* path = std::getenv("SHALE_TEST_LOCK_PATH");
  const char* marker = std::getenv("SHALE_TEST_LOCK_MARKER");
  if (path == nullptr || marker == nullptr) {
    GTEST_SKIP() << "runs as a child of LockIsExclusiveWithinTheProcess";
  }
  std::unique_ptr<FileLock> lock;
  Status s = Env::Default()->LockFile(path, &lock);
  EXPECT_TRUE(s.IsBusy()) << s.ToString();
  EXPECT_EQ(s.message(),
            "lock " + std::string(path) + ": already held by another process");
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(Env::Default()->NewWritableFile(marker, &file).ok());
}

TEST_F(EnvPosixTest, Clocks) {
  uint64_t start = env_->NowMicros();
  env_->SleepForMicros(2000);
  EXPECT_GE(env_->NowMicros() - start, 2000u);
  uint64_t wall = env_->NowUnixMillis();
  EXPECT_GT(wall, uint64_t{1600000000000});  // after 2020
}

}  // namespace
}  // namespace shale
