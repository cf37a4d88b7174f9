#include "testing/test_util.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace shale::test {

std::string RandomBytes(Random* rnd, size_t len) {
  std::string s(len, '\0');
  for (size_t i = 0; i < len; i++) s[i] = static_cast<char>(rnd->Uniform(256));
  return s;
}

std::string RandomPrintable(Random* rnd, size_t len) {
  std::string s(len, '\0');
  for (size_t i = 0; i < len; i++)
    s[i] = static_cast<char>(' ' + rnd->Uniform(95));
  return s;
}

uint64_t TestSeed() {
  if (const char* env = std::getenv("SHALE_TEST_SEED")) {
    return std::strtoull(env, nullptr, 10);
  }
  return static_cast<uint64_t>(
      std::chrono::steady_clock::now().time_since_epoch().count());
}

std::string NewTempDir(const std::string& name) {
  const char* base = std::getenv("TMPDIR");
  std::filesystem::path dir =
      std::filesystem::path(base ? base : "/tmp") /
      ("shale-test-" + std::to_string(getpid()) + "-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

}  // namespace shale::test
