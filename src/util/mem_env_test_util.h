// The fixture shared by the MemEnv tests: a MemEnv and short helpers that
// write, read and list files in it.
#ifndef SHALE_UTIL_MEM_ENV_TEST_UTIL_H_
#define SHALE_UTIL_MEM_ENV_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "util/mem_env.h"

namespace shale {

class MemEnvTest : public testing::Test {
 protected:
  // Creates (truncates) path with data; sync says whether the data is synced.
  void WriteFile(const std::string& path, const std::string& data, bool sync) {
    std::unique_ptr<WritableFile> file;
    ASSERT_TRUE(env_.NewWritableFile(path, &file).ok());
    ASSERT_TRUE(file->Append(data).ok());
    ASSERT_TRUE(sync ? file->Sync().ok() : file->Flush().ok());
    ASSERT_TRUE(file->Close().ok());
  }

  void AppendFile(const std::string& path, const std::string& data, bool sync) {
    std::unique_ptr<WritableFile> file;
    ASSERT_TRUE(env_.NewAppendableFile(path, &file).ok());
    ASSERT_TRUE(file->Append(data).ok());
    ASSERT_TRUE(sync ? file->Sync().ok() : file->Close().ok());
  }

  // The file's contents, or "<missing>".
  std::string Contents(const std::string& path) {
    std::string data;
    if (!env_.ReadFileToString(path, &data).ok()) return "<missing>";
    return data;
  }

  std::vector<std::string> Children(const std::string& dir) {
    std::vector<std::string> children;
    Status s = env_.GetChildren(dir, &children);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return children;
  }

  void SyncDir(const std::string& dir) { ASSERT_TRUE(env_.SyncDir(dir).ok()); }

  MemEnv env_;
};

using Names = std::vector<std::string>;

}  // namespace shale

#endif  // SHALE_UTIL_MEM_ENV_TEST_UTIL_H_
