// MemEnv's power-loss model: what SimulateCrash* and the crash clones keep.
#include <gtest/gtest.h>

#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "testing/test_util.h"
#include "util/mem_env.h"
#include "util/mem_env_test_util.h"
#include "util/random.h"

namespace shale {
namespace {

// --- power loss
// ---------------------------------------------------------------

TEST_F(MemEnvTest, CrashDropsUnsyncedData) {
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(env_.NewWritableFile("/db/f", &file).ok());
  SyncDir("/db");
  ASSERT_TRUE(file->Append("synced").ok());
  ASSERT_TRUE(file->Sync().ok());
  ASSERT_TRUE(file->Append("+flushed").ok());
  ASSERT_TRUE(file->Flush().ok());
  ASSERT_TRUE(file->Append("+buffered").ok());
  EXPECT_EQ(Contents("/db/f"), "synced+flushed");
  env_.SimulateCrash();
  EXPECT_EQ(Contents("/db/f"), "synced");
  uint64_t size = 0;
  ASSERT_TRUE(env_.GetFileSize("/db/f", &size).ok());
  EXPECT_EQ(size, 6u);
  env_.SimulateCrash();  // nothing more to lose
  EXPECT_EQ(Contents("/db/f"), "synced");
}

TEST_F(MemEnvTest, DurableEntryWithoutSyncedDataSurvivesEmpty) {
  WriteFile("/db/f", "unsynced", false);
  SyncDir("/db");
  env_.SimulateCrash();
  EXPECT_EQ(Contents("/db/f"), "");
}

TEST_F(MemEnvTest, ExtendedFileKeepsSyncedPrefix) {
  WriteFile("/db/f", "base", true);
  SyncDir("/db");
  AppendFile("/db/f", "+more", false);
  AppendFile("/db/f", "+synced", true);
  AppendFile("/db/f", "+lost", false);
  env_.SimulateCrash();
  EXPECT_EQ(Contents("/db/f"), "base+more+synced");
}

TEST_F(MemEnvTest, TruncatingRewriteLosesOldData) {
  WriteFile("/db/f", "old", true);
  SyncDir("/db");
  WriteFile("/db/f", "new", false);
  env_.SimulateCrash();
  EXPECT_EQ(Contents("/db/f"), "");
}

TEST_F(MemEnvTest, UnsyncedCreateVanishes) {
  WriteFile("/db/f", "data", true);  // data synced, entry not
  ASSERT_TRUE(env_.CreateDir("/db/sub").ok());
  env_.SimulateCrash();
  EXPECT_FALSE(env_.FileExists("/db/f"));
  EXPECT_EQ(Children("/db"), (Names{"sub"}));  // directories are durable
}

TEST_F(MemEnvTest, SyncedCreateSticks) {
  WriteFile("/db/f", "data", true);
  SyncDir("/db");
  env_.SimulateCrash();
  EXPECT_EQ(Contents("/db/f"), "data");
}

TEST_F(MemEnvTest, UnsyncedRenameReverts) {
  WriteFile("/db/a", "A", true);
  WriteFile("/db/b", "B", true);
  SyncDir("/db");
  ASSERT_TRUE(env_.RenameFile("/db/a", "/db/b").ok());
  ASSERT_TRUE(env_.RenameFile("/db/b", "/db/c").ok());
  EXPECT_EQ(Children("/db"), (Names{"c"}));
  env_.SimulateCrash();
  EXPECT_EQ(Children("/db"), (Names{"a", "b"}));
  EXPECT_EQ(Contents("/db/a"), "A");
  EXPECT_EQ(Contents("/db/b"), "B");
}

TEST_F(MemEnvTest, LinkIsDurableAfterItsDirectorySyncs) {
  WriteFile("/db/a", "A", true);
  SyncDir("/db");
  ASSERT_TRUE(env_.CreateDir("/ckpt").ok());
  ASSERT_TRUE(env_.LinkFile("/db/a", "/ckpt/a").ok());
  auto clone = env_.CloneAfterCrash();
  EXPECT_FALSE(clone->FileExists("/ckpt/a"));
  SyncDir("/ckpt");
  env_.SimulateCrash();
  EXPECT_EQ(Contents("/ckpt/a"), "A");
  // Still one inode after the crash.
  AppendFile("/db/a", "+", true);
  EXPECT_EQ(Contents("/ckpt/a"), "A+");
}

TEST_F(MemEnvTest, SyncedRenameSticks) {
  WriteFile("/db/tmp", "new", true);
  WriteFile("/db/CURRENT", "old", true);
  SyncDir("/db");
  ASSERT_TRUE(env_.RenameFile("/db/tmp", "/db/CURRENT").ok());
  SyncDir("/db");
  env_.SimulateCrash();
  EXPECT_EQ(Children("/db"), (Names{"CURRENT"}));
  EXPECT_EQ(Contents("/db/CURRENT"), "new");
}

TEST_F(MemEnvTest, CrossDirectoryRenameNeedsBothSyncs) {
  WriteFile("/x/f", "data", true);
  SyncDir("/x");
  ASSERT_TRUE(env_.CreateDir("/y").ok());
  ASSERT_TRUE(env_.RenameFile("/x/f", "/y/g").ok());
  SyncDir("/y");  // only the target directory
  env_.SimulateCrash();
  EXPECT_EQ(Contents("/x/f"), "data");
  EXPECT_EQ(Contents("/y/g"), "data");
  ASSERT_TRUE(env_.RemoveFile("/x/f").ok());
  SyncDir("/x");
  env_.SimulateCrash();
  EXPECT_FALSE(env_.FileExists("/x/f"));
  EXPECT_EQ(Contents("/y/g"), "data");
}

TEST_F(MemEnvTest, UnsyncedRemoveReappears) {
  WriteFile("/db/f", "data", true);
  SyncDir("/db");
  ASSERT_TRUE(env_.RemoveFile("/db/f").ok());
  EXPECT_FALSE(env_.FileExists("/db/f"));
  env_.SimulateCrash();
  EXPECT_EQ(Contents("/db/f"), "data");
}

TEST_F(MemEnvTest, SyncedRemoveSticks) {
  WriteFile("/db/f", "data", true);
  SyncDir("/db");
  ASSERT_TRUE(env_.RemoveFile("/db/f").ok());
  SyncDir("/db");
  env_.SimulateCrash();
  EXPECT_FALSE(env_.FileExists("/db/f"));
}

TEST_F(MemEnvTest, RemovedButOpenFileKeepsWorking) {
  WriteFile("/db/f", "data", true);
  std::unique_ptr<RandomAccessFile> in;
  ASSERT_TRUE(env_.NewRandomAccessFile("/db/f", &in).ok());
  ASSERT_TRUE(env_.RemoveFile("/db/f").ok());
  char scratch[8];
  std::string_view got;
  ASSERT_TRUE(in->Read(0, 8, &got, scratch).ok());
  EXPECT_EQ(got, "data");
}

TEST_F(MemEnvTest, HandlesFromBeforeACrashAreInert) {
  std::unique_ptr<WritableFile> writer;
  ASSERT_TRUE(env_.NewWritableFile("/db/log", &writer).ok());
  SyncDir("/db");
  ASSERT_TRUE(writer->Append("kept").ok());
  ASSERT_TRUE(writer->Sync().ok());
  ASSERT_TRUE(writer->Append("buffered").ok());
  std::unique_ptr<RandomAccessFile> reader;
  ASSERT_TRUE(env_.NewRandomAccessFile("/db/log", &reader).ok());
  std::unique_ptr<SequentialFile> seq;
  ASSERT_TRUE(env_.NewSequentialFile("/db/log", &seq).ok());

  env_.SimulateCrash();
  EXPECT_TRUE(writer->Append("more").IsIOError());
  EXPECT_TRUE(writer->Flush().IsIOError());
  EXPECT_TRUE(writer->Sync().IsIOError());
  EXPECT_TRUE(writer->Close().ok());
  writer.reset();
  char scratch[16];
  std::string_view got;
  EXPECT_TRUE(reader->Read(0, 4, &got, scratch).IsIOError());
  EXPECT_TRUE(seq->Read(4, &got, scratch).IsIOError());
  EXPECT_TRUE(seq->Skip(1).IsIOError());
  EXPECT_EQ(Contents("/db/log"), "kept");

  // Destroying an unclosed stale writer must not flush its buffer either.
  ASSERT_TRUE(env_.NewAppendableFile("/db/log", &writer).ok());
  ASSERT_TRUE(writer->Append("+x").ok());
  env_.SimulateCrash();
  writer.reset();
  EXPECT_EQ(Contents("/db/log"), "kept");

  // New handles work.
  ASSERT_TRUE(env_.NewRandomAccessFile("/db/log", &reader).ok());
  ASSERT_TRUE(reader->Read(0, 16, &got, scratch).ok());
  EXPECT_EQ(got, "kept");
}

// --- reused files (ReuseWritableFile) ----------------------------------------

std::string ContentsIn(MemEnv* env, const std::string& path) {
  std::string data;
  if (!env->ReadFileToString(path, &data).ok()) return "<missing>";
  return data;
}

TEST_F(MemEnvTest, ReuseOverwritesInPlace) {
  WriteFile("/db/old", "0123456789", true);
  SyncDir("/db");
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(env_.ReuseWritableFile("/db/old", "/db/new", &file).ok());
  EXPECT_EQ(Names({"new"}), Children("/db"));
  ASSERT_TRUE(file->Append("abc").ok());
  ASSERT_TRUE(file->Flush().ok());
  EXPECT_EQ(3u, file->Size());
  EXPECT_EQ("abc3456789", Contents("/db/new"));
  ASSERT_TRUE(file->Append("defghijkl").ok());  // past the old end
  ASSERT_TRUE(file->Close().ok());
  EXPECT_EQ("abcdefghijkl", Contents("/db/new"));
  EXPECT_EQ("<missing>", Contents("/db/old"));
}

TEST_F(MemEnvTest, CrashRevertsUnsyncedRewrites) {
  WriteFile("/db/old", "0123456789", true);
  SyncDir("/db");
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(env_.ReuseWritableFile("/db/old", "/db/new", &file).ok());
  SyncDir("/db");
  ASSERT_TRUE(file->Append("abc").ok());
  ASSERT_TRUE(file->Flush().ok());
  // Nothing synced: the old bytes, all of them.
  EXPECT_EQ("0123456789", ContentsIn(env_.CloneAfterCrash().get(), "/db/new"));
  ASSERT_TRUE(file->Sync().ok());
  EXPECT_EQ("abc3456789", ContentsIn(env_.CloneAfterCrash().get(), "/db/new"));
  ASSERT_TRUE(file->Append("de").ok());
  ASSERT_TRUE(file->Flush().ok());
  // "de" not synced: bytes 3 and 4 revert to what the last sync left.
  EXPECT_EQ("abc3456789", ContentsIn(env_.CloneAfterCrash().get(), "/db/new"));
  ASSERT_TRUE(file->Append("fghijkl").ok());
  ASSERT_TRUE(file->Sync().ok());
  env_.SimulateCrash();
  EXPECT_EQ("abcdefghijkl", Contents("/db/new"));
}

TEST_F(MemEnvTest, UnsyncedReuseRevertsToTheOldName) {
  WriteFile("/db/old", "0123456789", true);
  SyncDir("/db");
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(env_.ReuseWritableFile("/db/old", "/db/new", &file).ok());
  ASSERT_TRUE(file->Append("abc").ok());
  ASSERT_TRUE(file->Sync().ok());  // the data, not the rename
  env_.SimulateCrash();
  EXPECT_EQ(Names({"old"}), Children("/db"));
  EXPECT_EQ("abc3456789", Contents("/db/old"));
}

// A torn crash keeps a prefix of the rewrites and the old bytes after it.
TEST_F(MemEnvTest, TornCrashOfAReusedFile) {
  const std::string old_bytes = "0123456789abcdefghij";
  const std::string new_bytes = "ABCDEFGHIJKLMN";
  std::set<size_t> cuts;
  for (uint64_t seed = 1; seed <= 60; seed++) {
    MemEnv env;
    {
      std::unique_ptr<WritableFile> f;
      ASSERT_TRUE(env.NewWritableFile("/db/old", &f).ok());
      ASSERT_TRUE(f->Append(old_bytes).ok());
      ASSERT_TRUE(f->Sync().ok());
    }
    std::unique_ptr<WritableFile> file;
    ASSERT_TRUE(env.ReuseWritableFile("/db/old", "/db/new", &file).ok());
    ASSERT_TRUE(env.SyncDir("/db").ok());
    ASSERT_TRUE(file->Append(new_bytes.substr(0, 4)).ok());
    ASSERT_TRUE(file->Sync().ok());
    ASSERT_TRUE(file->Append(new_bytes.substr(4)).ok());
    ASSERT_TRUE(file->Flush().ok());
    const std::string got =
        ContentsIn(env.CloneAfterCrashWithTornTails(seed).get(), "/db/new");
    ASSERT_EQ(old_bytes.size(), got.size()) << "seed " << seed;
    size_t k = 0;
    while (k < got.size() && k < new_bytes.size() && got[k] == new_bytes[k]) {
      k++;
    }
    ASSERT_GE(k, 4u) << "seed " << seed << ": lost synced bytes: " << got;
    ASSERT_EQ(old_bytes.substr(k), got.substr(k)) << "seed " << seed;
    cuts.insert(k);
  }
  EXPECT_GT(cuts.size(), 3u) << "the cut should vary with the seed";
}

TEST_F(MemEnvTest, CrashReleasesLocks) {
  std::unique_ptr<FileLock> old_lock;
  ASSERT_TRUE(env_.LockFile("/db/LOCK", &old_lock).ok());
  env_.SimulateCrash();
  EXPECT_FALSE(env_.FileExists("/db/LOCK"));  // its entry was never synced
  std::unique_ptr<FileLock> lock;
  ASSERT_TRUE(env_.LockFile("/db/LOCK", &lock).ok());
  old_lock.reset();  // must not release the new lock
  std::unique_ptr<FileLock> again;
  EXPECT_TRUE(env_.LockFile("/db/LOCK", &again).IsBusy());
}

TEST_F(MemEnvTest, TornTailsKeepAPrefixWithinBounds) {
  uint64_t seed = test::TestSeed();
  SCOPED_TRACE("seed=" + std::to_string(seed));
  Random rnd(seed);
  const std::string synced = test::RandomBytes(&rnd, 100);
  const std::string tail = test::RandomBytes(&rnd, 1000);
  int partial = 0;
  for (int i = 0; i < 100; i++) {
    uint64_t crash_seed = seed + i;
    std::string results[2];
    for (std::string& result : results) {
      MemEnv env;
      std::unique_ptr<WritableFile> file;
      ASSERT_TRUE(env.NewWritableFile("/f", &file).ok());
      ASSERT_TRUE(env.SyncDir("/").ok());
      ASSERT_TRUE(file->Append(synced).ok());
      ASSERT_TRUE(file->Sync().ok());
      ASSERT_TRUE(file->Append(tail).ok());
      ASSERT_TRUE(file->Flush().ok());
      ASSERT_TRUE(file->Append("never flushed").ok());
      env.SimulateCrashWithTornTails(crash_seed);
      ASSERT_TRUE(env.ReadFileToString("/f", &result).ok());
    }
    EXPECT_EQ(results[0], results[1]) << "crash seed " << crash_seed;
    const std::string& got = results[0];
    ASSERT_GE(got.size(), synced.size());
    ASSERT_LE(got.size(), synced.size() + tail.size());
    ASSERT_EQ(got, (synced + tail).substr(0, got.size()));
    if (got.size() > synced.size() && got.size() < synced.size() + tail.size())
      partial++;
  }
  EXPECT_GT(partial, 50);  // the cut really is random
}

// Random operations on a few files, mirrored in a model of what is durable;
// after each crash the directory must match the model exactly.
TEST_F(MemEnvTest, RandomizedCrashModel) {
  uint64_t seed = test::TestSeed();
  SCOPED_TRACE("seed=" + std::to_string(seed));
  Random rnd(seed);

  struct ModelInode {
    std::string data;
    size_t synced = 0;
  };
  using ModelDir = std::map<std::string, std::shared_ptr<ModelInode>>;
  struct Writer {
    std::unique_ptr<WritableFile> file;
    std::shared_ptr<ModelInode> inode;
    std::string buffer;
  };
  ModelDir live, durable;
  std::vector<Writer> writers;
  const std::vector<std::string> names = {"a", "b", "c", "d", "e"};

  auto check_live = [&]() {
    Names expected;
    for (const auto& [name, inode] : live) {
      expected.push_back(name);
      ASSERT_EQ(Contents("/db/" + name), inode->data) << name;
    }
    ASSERT_EQ(Children("/db"), expected);
  };

  ASSERT_TRUE(env_.CreateDir("/db").ok());
  for (int step = 0; step < 3000; step++) {
    SCOPED_TRACE("step " + std::to_string(step));
    const std::string name = names[rnd.Uniform(names.size())];
    const std::string path = "/db/" + name;
    switch (rnd.Uniform(9)) {
      case 0:  // create a file that does not exist
        if (live.count(name) == 0) {
          Writer w;
          ASSERT_TRUE(env_.NewWritableFile(path, &w.file).ok());
          w.inode = std::make_shared<ModelInode>();
          live[name] = w.inode;
          writers.push_back(std::move(w));
        }
        break;
      case 1:
      case 2:
        if (!writers.empty()) {
          Writer& w = writers[rnd.Uniform(writers.size())];
          std::string data = test::RandomPrintable(&rnd, rnd.Skewed(6));
          ASSERT_TRUE(w.file->Append(data).ok());
          w.buffer += data;
        }
        break;
      case 3:
        if (!writers.empty()) {
          Writer& w = writers[rnd.Uniform(writers.size())];
          ASSERT_TRUE(w.file->Flush().ok());
          w.inode->data += w.buffer;
          w.buffer.clear();
        }
        break;
      case 4:
        if (!writers.empty()) {
          size_t i = rnd.Uniform(writers.size());
          Writer& w = writers[i];
          bool close = rnd.OneIn(2);
          ASSERT_TRUE(close ? w.file->Close().ok() : w.file->Sync().ok());
          w.inode->data += w.buffer;
          w.buffer.clear();
          if (!close) w.inode->synced = w.inode->data.size();
          if (close) writers.erase(writers.begin() + i);
        }
        break;
      case 5:
        ASSERT_TRUE(env_.SyncDir("/db").ok());
        durable = live;
        break;
      case 6:
        if (live.count(name) != 0) {
          const std::string target = names[rnd.Uniform(names.size())];
          ASSERT_TRUE(env_.RenameFile(path, "/db/" + target).ok());
          std::shared_ptr<ModelInode> inode = live[name];
          live.erase(name);
          live[target] = inode;
        }
        break;
      case 7:
        if (live.count(name) != 0) {
          ASSERT_TRUE(env_.RemoveFile(path).ok());
          live.erase(name);
        }
        break;
      case 8:
        if (rnd.OneIn(4)) {
          check_live();
          env_.SimulateCrash();
          writers.clear();  // destroying stale handles changes nothing
          live = durable;
          for (auto& [n, inode] : live) inode->data.resize(inode->synced);
          check_live();
        }
        break;
    }
    if (HasFatalFailure()) return;
  }
}

// --- crash clones
// -------------------------------------------------------------

// Every file (path -> contents) and directory (path -> "<dir>") in env.
std::map<std::string, std::string> Tree(MemEnv* env) {
  std::map<std::string, std::string> tree;
  std::vector<std::string> pending = {"/"};
  while (!pending.empty()) {
    std::string dir = pending.back();
    pending.pop_back();
    std::vector<std::string> children;
    EXPECT_TRUE(env->GetChildren(dir, &children).ok()) << dir;
    for (const std::string& child : children) {
      std::string path = (dir == "/" ? "/" : dir + "/") + child;
      std::string data;
      if (env->ReadFileToString(path, &data).ok()) {
        tree[path] = data;
      } else {
        tree[path] = "<dir>";
        pending.push_back(path);
      }
    }
  }
  return tree;
}

// Leaves env with one change of every kind a crash undoes or keeps.
void MakeCrashScenario(MemEnv* env, std::unique_ptr<WritableFile>* writer) {
  auto must = [](Status s) { ASSERT_TRUE(s.ok()) << s.ToString(); };
  auto write = [&](const std::string& path, const std::string& data,
                   bool sync) {
    std::unique_ptr<WritableFile> file;
    must(env->NewWritableFile(path, &file));
    must(file->Append(data));
    must(sync ? file->Sync() : file->Close());
  };
  write("/db/kept", "kept", true);
  write("/db/removed", "removed", true);
  write("/db/renamed", "renamed", true);
  write("/db/empty", "unsynced", false);
  write("/x/moved", "moved", true);
  must(env->SyncDir("/db"));
  must(env->SyncDir("/x"));
  must(env->CreateDir("/y"));
  must(env->RenameFile("/x/moved", "/y/moved"));
  must(env->SyncDir("/y"));  // durable under both names now
  write("/db/new", "new", true);
  must(env->RemoveFile("/db/removed"));
  must(env->RenameFile("/db/renamed", "/db/renamed2"));
  must(env->NewAppendableFile("/db/kept", writer));
  must((*writer)->Append("+flushed"));
  must((*writer)->Flush());
  must((*writer)->Append("+buffered"));
}

TEST_F(MemEnvTest, CloneKeepsWhatACrashKeeps) {
  std::unique_ptr<WritableFile> writer;
  MakeCrashScenario(&env_, &writer);
  if (HasFatalFailure()) return;
  const std::map<std::string, std::string> before = Tree(&env_);
  std::unique_ptr<MemEnv> clone = env_.CloneAfterCrash();
  EXPECT_EQ(Tree(&env_), before);  // the original is untouched
  const std::map<std::string, std::string> cloned = Tree(clone.get());
  EXPECT_EQ(cloned, (std::map<std::string, std::string>{
                        {"/db", "<dir>"},
                        {"/db/empty", ""},
                        {"/db/kept", "kept"},
                        {"/db/removed", "removed"},
                        {"/db/renamed", "renamed"},
                        {"/x", "<dir>"},
                        {"/x/moved", "moved"},
                        {"/y", "<dir>"},
                        {"/y/moved", "moved"},
                    }));
  // The two durable names share one inode in the clone, as after a crash.
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(clone->NewAppendableFile("/x/moved", &file).ok());
  ASSERT_TRUE(file->Append("!").ok());
  ASSERT_TRUE(file->Close().ok());
  std::string data;
  ASSERT_TRUE(clone->ReadFileToString("/y/moved", &data).ok());
  EXPECT_EQ(data, "moved!");

  env_.SimulateCrash();
  EXPECT_EQ(Tree(&env_), cloned);
}

TEST_F(MemEnvTest, TornCloneMatchesTornCrash) {
  uint64_t seed = test::TestSeed();
  SCOPED_TRACE("seed=" + std::to_string(seed));
  Random rnd(seed);
  const std::string synced = test::RandomBytes(&rnd, 100);
  const std::string tail = test::RandomBytes(&rnd, 1000);
  int partial = 0;
  for (int i = 0; i < 100; i++) {
    uint64_t crash_seed = seed + i;
    SCOPED_TRACE("crash seed " + std::to_string(crash_seed));
    MemEnv env;
    std::unique_ptr<WritableFile> files[2];
    for (int f = 0; f < 2; f++) {
      std::string path = "/f" + std::to_string(f);
      ASSERT_TRUE(env.NewWritableFile(path, &files[f]).ok());
      ASSERT_TRUE(files[f]->Append(synced).ok());
      ASSERT_TRUE(files[f]->Sync().ok());
      ASSERT_TRUE(files[f]->Append(tail).ok());
      ASSERT_TRUE(files[f]->Flush().ok());
      ASSERT_TRUE(files[f]->Append("never flushed").ok());
    }
    ASSERT_TRUE(env.SyncDir("/").ok());
    const std::map<std::string, std::string> before = Tree(&env);
    std::unique_ptr<MemEnv> clone =
        env.CloneAfterCrashWithTornTails(crash_seed);
    const std::map<std::string, std::string> cloned = Tree(clone.get());
    EXPECT_EQ(Tree(env.CloneAfterCrashWithTornTails(crash_seed).get()), cloned);
    EXPECT_EQ(Tree(&env), before);
    ASSERT_EQ(cloned.size(), 2u);
    for (const auto& [path, got] : cloned) {
      ASSERT_GE(got.size(), synced.size()) << path;
      ASSERT_LE(got.size(), synced.size() + tail.size()) << path;
      ASSERT_EQ(got, (synced + tail).substr(0, got.size())) << path;
      if (got.size() > synced.size() &&
          got.size() < synced.size() + tail.size()) {
        partial++;
      }
    }
    // The kept tail counts as synced in the clone.
    clone->SimulateCrash();
    EXPECT_EQ(Tree(clone.get()), cloned);
    env.SimulateCrashWithTornTails(crash_seed);
    EXPECT_EQ(Tree(&env), cloned);
  }
  EXPECT_GT(partial, 100);  // of 200 cuts: the cut really is random
}

TEST_F(MemEnvTest, KeepingCloneCutsEachFileWhereTold) {
  std::unique_ptr<WritableFile> a, b, c;
  ASSERT_TRUE(env_.NewWritableFile("/d/a", &a).ok());
  ASSERT_TRUE(env_.NewWritableFile("/d/b", &b).ok());
  ASSERT_TRUE(env_.NewWritableFile("/d/c", &c).ok());
  ASSERT_TRUE(env_.SyncDir("/d").ok());
  for (WritableFile* f : {a.get(), b.get(), c.get()}) {
    ASSERT_TRUE(f->Append("synced").ok());
    ASSERT_TRUE(f->Sync().ok());
    ASSERT_TRUE(f->Append("+tail").ok());
    ASSERT_TRUE(f->Flush().ok());
  }
  std::map<std::string, std::pair<uint64_t, uint64_t>> asked;
  std::unique_ptr<MemEnv> clone = env_.CloneAfterCrashKeeping(
      [&](const std::string& path, uint64_t synced, uint64_t size) {
        asked[path] = {synced, size};
        if (path == "/d/a") return size;        // keeps its whole tail
        if (path == "/d/b") return synced + 2;  // keeps "+t"
        return uint64_t{0};                     // below synced: clamped up
      });
  EXPECT_EQ(asked,
            (std::map<std::string, std::pair<uint64_t, uint64_t>>{
                {"/d/a", {6, 11}}, {"/d/b", {6, 11}}, {"/d/c", {6, 11}}}));
  EXPECT_EQ(Tree(clone.get()),
            (std::map<std::string, std::string>{{"/d", "<dir>"},
                                                {"/d/a", "synced+tail"},
                                                {"/d/b", "synced+t"},
                                                {"/d/c", "synced"}}));
  // What was kept counts as synced in the clone.
  clone->SimulateCrash();
  EXPECT_EQ(Contents("/d/a"), "synced+tail");  // the original is untouched
  std::string data;
  ASSERT_TRUE(clone->ReadFileToString("/d/b", &data).ok());
  EXPECT_EQ(data, "synced+t");
}

TEST_F(MemEnvTest, CloneAndOriginalAreIndependent) {
  std::unique_ptr<WritableFile> writer;
  ASSERT_TRUE(env_.NewWritableFile("/db/log", &writer).ok());
  SyncDir("/db");
  ASSERT_TRUE(writer->Append("synced").ok());
  ASSERT_TRUE(writer->Sync().ok());
  ASSERT_TRUE(writer->Append("+flushed").ok());
  ASSERT_TRUE(writer->Flush().ok());
  ASSERT_TRUE(writer->Append("+buffered").ok());
  std::unique_ptr<RandomAccessFile> reader;
  ASSERT_TRUE(env_.NewRandomAccessFile("/db/log", &reader).ok());

  std::unique_ptr<MemEnv> clone = env_.CloneAfterCrash();

  // The original's handles keep working and it keeps its unsynced bytes.
  ASSERT_TRUE(writer->Append("+later").ok());
  ASSERT_TRUE(writer->Sync().ok());
  char scratch[64];
  std::string_view got;
  ASSERT_TRUE(reader->Read(0, sizeof(scratch), &got, scratch).ok());
  EXPECT_EQ(got, "synced+flushed+buffered+later");
  WriteFile("/db/other", "x", true);
  SyncDir("/db");
  std::string data;
  ASSERT_TRUE(clone->ReadFileToString("/db/log", &data).ok());
  EXPECT_EQ(data, "synced");
  EXPECT_FALSE(clone->FileExists("/db/other"));

  // Writes in the clone, in place or new, do not reach the original.
  ASSERT_TRUE(clone->CorruptByte("/db/log", 0, 0x20).ok());
  std::unique_ptr<WritableFile> clone_writer;
  ASSERT_TRUE(clone->NewAppendableFile("/db/log", &clone_writer).ok());
  ASSERT_TRUE(clone_writer->Append("+clone").ok());
  ASSERT_TRUE(clone_writer->Sync().ok());
  ASSERT_TRUE(clone->NewWritableFile("/db/clone-only", &clone_writer).ok());
  ASSERT_TRUE(clone->SyncDir("/db").ok());
  ASSERT_TRUE(clone->ReadFileToString("/db/log", &data).ok());
  EXPECT_EQ(data, "Synced+clone");
  EXPECT_EQ(Contents("/db/log"), "synced+flushed+buffered+later");
  EXPECT_EQ(Children("/db"), (Names{"log", "other"}));

  // A crash of either side leaves the other alone.
  clone->SimulateCrash();
  EXPECT_EQ(Contents("/db/log"), "synced+flushed+buffered+later");
  env_.SimulateCrash();
  ASSERT_TRUE(clone->ReadFileToString("/db/log", &data).ok());
  EXPECT_EQ(data, "Synced+clone");
}

TEST_F(MemEnvTest, LockHeldInTheOriginalIsFreeInTheClone) {
  std::unique_ptr<FileLock> lock;
  ASSERT_TRUE(env_.LockFile("/db/LOCK", &lock).ok());
  SyncDir("/db");
  std::unique_ptr<MemEnv> clone = env_.CloneAfterCrash();
  EXPECT_TRUE(clone->FileExists("/db/LOCK"));
  std::unique_ptr<FileLock> clone_lock;
  ASSERT_TRUE(clone->LockFile("/db/LOCK", &clone_lock).ok());
  std::unique_ptr<FileLock> again;
  EXPECT_TRUE(env_.LockFile("/db/LOCK", &again).IsBusy());
  lock.reset();  // releases the original's lock only
  EXPECT_TRUE(clone->LockFile("/db/LOCK", &again).IsBusy());
  EXPECT_TRUE(env_.LockFile("/db/LOCK", &again).ok());
}

TEST_F(MemEnvTest, CloneHasNoFaultsOrCountsButKeepsTheClock) {
  WriteFile("/f", "data", true);
  SyncDir("/");
  env_.SetUnixMillis(1234);
  env_.InjectFault({FaultOp::kAny, "", Status::Code::kIOError, 0, -1});
  uint64_t size = 0;
  EXPECT_TRUE(env_.GetFileSize("/f", &size).IsIOError());

  std::unique_ptr<MemEnv> clone = env_.CloneAfterCrash();
  EXPECT_EQ(clone->CallCount(FaultOp::kAny), 0u);
  EXPECT_EQ(clone->InjectedFaultCount(), 0u);
  EXPECT_EQ(clone->NowUnixMillis(), 1234u);
  ASSERT_TRUE(clone->GetFileSize("/f", &size).ok());
  EXPECT_EQ(size, 4u);
  EXPECT_EQ(clone->CallCount(FaultOp::kAny), 1u);
  clone->AdvanceMillis(10);
  EXPECT_EQ(clone->NowUnixMillis(), 1244u);

  // The original keeps its faults, counts and clock.
  EXPECT_EQ(env_.NowUnixMillis(), 1234u);
  EXPECT_TRUE(env_.GetFileSize("/f", &size).IsIOError());
  EXPECT_EQ(env_.InjectedFaultCount(), 2u);
  EXPECT_GE(env_.CallCount(FaultOp::kAny), 2u);

  // Without a fake clock the clone reads the real one.
  MemEnv real;
  uint64_t now = Env::Default()->NowUnixMillis();
  EXPECT_GE(real.CloneAfterCrash()->NowUnixMillis(), now);
}

TEST_F(MemEnvTest, ClonesWhileWritingAreConsistent) {
  // A writer syncs whole records and adds synced files; every clone must hold
  // a whole number of records and never fewer than an earlier clone.
  constexpr int kRecords = 2000;
  constexpr size_t kRecordSize = 8;
  auto record = [](int i) {
    char buf[kRecordSize + 1];
    std::snprintf(buf, sizeof(buf), "%07d,", i);
    return std::string(buf, kRecordSize);
  };
  std::string all;
  for (int i = 0; i < kRecords; i++) all += record(i);
  std::unique_ptr<WritableFile> log;
  ASSERT_TRUE(env_.NewWritableFile("/db/log", &log).ok());
  SyncDir("/db");

  std::thread writer([&] {
    for (int i = 0; i < kRecords; i++) {
      EXPECT_TRUE(log->Append(record(i)).ok());
      EXPECT_TRUE(log->Sync().ok());
      if (i % 100 == 99) {
        std::unique_ptr<WritableFile> f;
        std::string path = "/db/" + std::to_string(i / 100);
        EXPECT_TRUE(env_.NewWritableFile(path, &f).ok());
        EXPECT_TRUE(f->Append(record(i)).ok());
        EXPECT_TRUE(f->Sync().ok());
        EXPECT_TRUE(env_.SyncDir("/db").ok());
      }
    }
  });
  size_t last = 0;
  for (int c = 0; c < 200; c++) {
    std::unique_ptr<MemEnv> clone = env_.CloneAfterCrash();
    std::string data;
    ASSERT_TRUE(clone->ReadFileToString("/db/log", &data).ok());
    EXPECT_EQ(data.size() % kRecordSize, 0u);
    EXPECT_GE(data.size(), last);
    EXPECT_EQ(data, all.substr(0, data.size()));
    last = data.size();
    std::vector<std::string> children;
    ASSERT_TRUE(clone->GetChildren("/db", &children).ok());
    // File k is made once the log holds record 100k+99, so a clone that
    // has it holds that record too.
    size_t records = data.size() / kRecordSize;
    EXPECT_LE(children.size() - 1, records / 100) << records;
  }
  writer.join();
  std::unique_ptr<MemEnv> clone = env_.CloneAfterCrash();
  std::string data;
  ASSERT_TRUE(clone->ReadFileToString("/db/log", &data).ok());
  EXPECT_EQ(data, all);
  EXPECT_EQ(Tree(clone.get()).size(), 1u + 1u + kRecords / 100);
}

}  // namespace
}  // namespace shale
