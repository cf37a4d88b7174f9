// MemEnv's fault injection: which calls fail, and that a failed call
// changes nothing.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "util/mem_env.h"
#include "util/mem_env_test_util.h"

namespace shale {
namespace {

// One call of each op on a path under "/target", repeatable.
struct OpCase {
  FaultOp op;
  std::function<Status()> call;
};

std::vector<OpCase> MakeOpCases(MemEnv* env,
                                std::unique_ptr<WritableFile>* writer,
                                std::unique_ptr<RandomAccessFile>* reader,
                                bool* renamed) {
  auto must = [](Status s) { EXPECT_TRUE(s.ok()) << s.ToString(); };
  must(env->NewWritableFile("/target/f", writer));
  must((*writer)->Append("contents"));
  must((*writer)->Flush());
  must(env->NewRandomAccessFile("/target/f", reader));
  std::unique_ptr<WritableFile> removable;
  must(env->NewWritableFile("/target/r", &removable));
  std::vector<OpCase> cases;
  cases.push_back({FaultOp::kOpen, [=] {
                     std::unique_ptr<SequentialFile> f;
                     return env->NewSequentialFile("/target/f", &f);
                   }});
  cases.push_back({FaultOp::kRead, [=] {
                     char scratch[4];
                     std::string_view got;
                     return (*reader)->Read(0, 4, &got, scratch);
                   }});
  cases.push_back({FaultOp::kAppend, [=] { return (*writer)->Append("x"); }});
  cases.push_back({FaultOp::kFlush, [=] { return (*writer)->Flush(); }});
  cases.push_back({FaultOp::kSync, [=] { return (*writer)->Sync(); }});
  cases.push_back({FaultOp::kRename, [=] {
                     Status s = *renamed
                                    ? env->RenameFile("/target/g", "/target/f")
                                    : env->RenameFile("/target/f", "/target/g");
                     if (s.ok()) *renamed = !*renamed;
                     return s;
                   }});
  // Recreating the removed file is a kOpen call, so it does not disturb the
  // kRemove case's counts.
  cases.push_back({FaultOp::kRemove, [=] {
                     Status s = env->RemoveFile("/target/r");
                     if (s.ok()) {
                       std::unique_ptr<WritableFile> f;
                       EXPECT_TRUE(env->NewWritableFile("/target/r", &f).ok());
                     }
                     return s;
                   }});
  cases.push_back({FaultOp::kSyncDir, [=] { return env->SyncDir("/target"); }});
  cases.push_back({FaultOp::kLock, [=] {
                     std::unique_ptr<FileLock> lock;
                     return env->LockFile("/target/LOCK", &lock);
                   }});
  cases.push_back({FaultOp::kMetadata, [=] {
                     std::vector<std::string> children;
                     return env->GetChildren("/target", &children);
                   }});
  return cases;
}

TEST(MemEnvFaultTest, EveryOpHonorsSkipAndTimes) {
  for (int i = 1; i < kNumFaultOps; i++) {
    FaultOp op = static_cast<FaultOp>(i);
    SCOPED_TRACE(FaultOpName(op));
    MemEnv env;
    std::unique_ptr<WritableFile> writer;
    std::unique_ptr<RandomAccessFile> reader;
    bool renamed = false;
    std::vector<OpCase> cases = MakeOpCases(&env, &writer, &reader, &renamed);
    ASSERT_EQ(cases.size(), static_cast<size_t>(kNumFaultOps - 1));
    const OpCase& c = cases[i - 1];
    ASSERT_EQ(c.op, op);

    env.InjectFault({op, "/elsewhere", Status::Code::kIOError, 0, -1});
    env.InjectFault({op, "target", Status::Code::kIOError, 2, 2});
    env.ResetCallCounts();
    std::vector<bool> failed;
    for (int call = 0; call < 5; call++) {
      Status s = c.call();
      failed.push_back(!s.ok());
      if (!s.ok()) {
        EXPECT_TRUE(s.IsIOError());
        EXPECT_FALSE(s.IsNoSpace());
        EXPECT_NE(s.message().find(std::string("injected ") + FaultOpName(op) +
                                   " fault"),
                  std::string::npos)
            << s.ToString();
        EXPECT_NE(s.message().find("/target"), std::string::npos);
      }
    }
    EXPECT_EQ(failed, (std::vector<bool>{false, false, true, true, false}));
    EXPECT_EQ(env.CallCount(op), 5u);
    EXPECT_EQ(env.InjectedFaultCount(), 2u);

    // NoSpace, forever, until cleared.
    env.InjectFault({op, "", Status::Code::kNoSpace, 0, -1});
    for (int call = 0; call < 3; call++) EXPECT_TRUE(c.call().IsNoSpace());
    env.ClearFaults();
    EXPECT_TRUE(c.call().ok());
  }
}

TEST(MemEnvFaultTest, AnyMatchesEveryOp) {
  MemEnv env;
  std::unique_ptr<WritableFile> writer;
  std::unique_ptr<RandomAccessFile> reader;
  bool renamed = false;
  std::vector<OpCase> cases = MakeOpCases(&env, &writer, &reader, &renamed);
  env.ResetCallCounts();
  env.InjectFault({FaultOp::kAny, "target", Status::Code::kIOError, 0, -1});
  for (const OpCase& c : cases) {
    SCOPED_TRACE(FaultOpName(c.op));
    EXPECT_TRUE(c.call().IsIOError());
    EXPECT_EQ(env.CallCount(c.op), 1u);
  }
  EXPECT_EQ(env.CallCount(FaultOp::kAny), cases.size());
  EXPECT_TRUE(env.FileExists("/target/f"));  // not counted, never fails
  EXPECT_EQ(env.CallCount(FaultOp::kAny), cases.size());
}

class MemEnvFailedCallTest : public MemEnvTest {
 protected:
  void FailNext(FaultOp op, Status::Code code = Status::Code::kIOError) {
    env_.InjectFault({op, "", code, 0, 1});
  }
};

TEST_F(MemEnvFailedCallTest, FailedAppendAppliesNothing) {
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(env_.NewWritableFile("/f", &file).ok());
  ASSERT_TRUE(file->Append("a").ok());
  FailNext(FaultOp::kAppend, Status::Code::kNoSpace);
  EXPECT_TRUE(file->Append("bbb").IsNoSpace());
  EXPECT_EQ(file->Size(), 1u);
  ASSERT_TRUE(file->Append("c").ok());
  ASSERT_TRUE(file->Flush().ok());
  EXPECT_EQ(Contents("/f"), "ac");
}

TEST_F(MemEnvFailedCallTest, FailedFlushKeepsTheBufferForARetry) {
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(env_.NewWritableFile("/f", &file).ok());
  ASSERT_TRUE(file->Append("abc").ok());
  FailNext(FaultOp::kFlush, Status::Code::kNoSpace);
  EXPECT_TRUE(file->Flush().IsNoSpace());
  EXPECT_EQ(Contents("/f"), "");
  ASSERT_TRUE(file->Flush().ok());
  EXPECT_EQ(Contents("/f"), "abc");
}

TEST_F(MemEnvFailedCallTest, FailedCloseDropsTheBuffer) {
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(env_.NewWritableFile("/f", &file).ok());
  ASSERT_TRUE(file->Append("abc").ok());
  FailNext(FaultOp::kFlush);
  EXPECT_TRUE(file->Close().IsIOError());
  EXPECT_TRUE(file->Flush().IsIOError());  // closed
  EXPECT_EQ(Contents("/f"), "");
}

TEST_F(MemEnvFailedCallTest, FailedSyncSyncsNothing) {
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(env_.NewWritableFile("/f", &file).ok());
  SyncDir("/");
  ASSERT_TRUE(file->Append("abc").ok());
  FailNext(FaultOp::kSync);
  EXPECT_TRUE(file->Sync().IsIOError());
  EXPECT_EQ(Contents("/f"), "");  // not even flushed
  ASSERT_TRUE(file->Flush().ok());
  env_.SimulateCrash();
  EXPECT_EQ(Contents("/f"), "");
}

TEST_F(MemEnvFailedCallTest, FailedSyncDirMakesNothingDurable) {
  WriteFile("/db/f", "data", true);
  FailNext(FaultOp::kSyncDir);
  EXPECT_TRUE(env_.SyncDir("/db").IsIOError());
  env_.SimulateCrash();
  EXPECT_FALSE(env_.FileExists("/db/f"));
}

TEST_F(MemEnvFailedCallTest, FailedNamespaceCallsChangeNothing) {
  WriteFile("/db/a", "A", false);
  FailNext(FaultOp::kRename);
  EXPECT_TRUE(env_.RenameFile("/db/a", "/db/a-target").IsIOError());
  EXPECT_EQ(Children("/db"), (Names{"a"}));
  FailNext(FaultOp::kRemove);
  EXPECT_TRUE(env_.RemoveFile("/db/a").IsIOError());
  EXPECT_EQ(Contents("/db/a"), "A");
  FailNext(FaultOp::kOpen);
  std::unique_ptr<WritableFile> file;
  EXPECT_TRUE(env_.NewWritableFile("/db/a", &file).IsIOError());
  EXPECT_EQ(Contents("/db/a"), "A");  // not truncated
  FailNext(FaultOp::kOpen);
  EXPECT_TRUE(env_.NewWritableFile("/db/b", &file).IsIOError());
  EXPECT_FALSE(env_.FileExists("/db/b"));
  FailNext(FaultOp::kLock);
  std::unique_ptr<FileLock> lock;
  EXPECT_TRUE(env_.LockFile("/db/LOCK", &lock).IsIOError());
  EXPECT_FALSE(env_.FileExists("/db/LOCK"));
  EXPECT_TRUE(env_.LockFile("/db/LOCK", &lock).ok());
}

}  // namespace
}  // namespace shale
