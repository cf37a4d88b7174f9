// MemEnv: an in-memory Env that simulates power loss and injects I/O errors.
//
// The model
// ---------
// Paths are normalized: "//" and "." collapse, ".." goes up, a trailing "/"
// is dropped, and a relative path is taken from "/" ("db/x" is "/db/x").
// Files are inodes (shared contents) named by entries in directories. A
// directory exists once CreateDir names it or once a file (or directory) is
// created beneath it: every missing ancestor is created implicitly.
//
// Each inode has its flushed bytes (what readers see) and a synced length.
// Each directory has its live entries (what GetChildren and opens see) and
// its durable entries (the live entries as of its last SyncDir).
//
//   WritableFile::Append  buffers in the handle; readers do not see it.
//   WritableFile::Flush   moves the buffer into the inode.
//   WritableFile::Sync    Flush, then the inode's synced length = its size.
//   WritableFile::SyncFlushed  the inode's synced length = its size (the
//                         handle's buffer stays; another thread may append).
//   WritableFile::Close   Flush, then the handle is closed.
//   NewWritableFile       creates the entry, or truncates the existing inode
//                         in place (its synced length drops to 0).
//   ReuseWritableFile     a rename (as RenameFile), then a handle that writes
//                         over the inode's bytes from offset 0: Flush
//                         replaces bytes in place (and extends past the end).
//                         The inode keeps a *base*, the bytes it held, and
//                         its synced length counts the rewritten prefix made
//                         durable. A Sync makes the rewritten prefix durable
//                         and takes the whole content as the new base.
//   Create/Rename/Link/Remove  of a file change live entries only (a link
//                         is a second entry naming the same inode).
//   SyncDir(dir)          durable entries of dir = its live entries. A rename
//                         across directories needs a SyncDir of both.
//
// What survives SimulateCrash()
// -----------------------------
//   * Every directory's entries revert to its durable set: a file created
//     (or LOCK file taken) but never SyncDir'ed vanishes, a removed entry
//     whose removal was not SyncDir'ed reappears, a rename not SyncDir'ed is
//     undone (both names revert, including a replaced target).
//   * Every surviving inode is cut to its synced length; flushed-but-unsynced
//     bytes and bytes still in a handle's buffer are gone. A file whose entry
//     is durable but whose data was never synced survives empty. A reused
//     file is cut the same way and then continues with its base's bytes past
//     the cut: the rewrites not synced revert to the old bytes.
//   * SimulateCrashWithTornTails(seed) instead keeps, for each inode, the
//     synced bytes plus a random prefix (possibly empty or whole) of its
//     unsynced flushed tail; the choice depends only on the seed and the
//     file system's state. Bytes are never altered, only cut.
//   * After a crash everything that remains counts as synced.
//   * Directories themselves are durable as soon as they are created, and a
//     RemoveDir is durable at once (it drops the directory's durable entries).
//   * All locks are released. Faults, call counts and the clock are kept.
//   * Every file and lock object from before the crash becomes inert: Read,
//     Skip, Append, Flush and Sync through it fail with IOError and change
//     nothing; Close succeeds and does nothing; destroying a FileLock does
//     not release a lock taken after the crash. So a DB destroyed after the
//     crash cannot write anything into the "rebooted" file system.
//
// Crash clones
// ------------
// CloneAfterCrash() returns a new MemEnv holding exactly the files and
// directories SimulateCrash() would leave, and CloneAfterCrashWithTornTails
// (seed) exactly what SimulateCrashWithTornTails(seed) would leave (same cuts,
// byte for byte): both are computed by one routine. The snapshot is taken
// atomically under the mutex, so a test may clone while a DB keeps running on
// the original; each Env and file call lands wholly before or wholly after
// it. The original is not changed at all: its handles and locks keep
// working, its unsynced data stays. The clone is independent: it shares no
// inode with the original (writes to either never show in the other), holds
// no locks, has no open handles, no faults, zero call counts, and starts with
// the original's fake clock if one was set (else it reads the real clock).
// Names that share an inode in the original's durable state share one inode
// in the clone too, as after SimulateCrash.
//
// Fault injection
// ---------------
// Every Env and file call is counted under one FaultOp (see CallCount) and
// then checked against the injected FaultSpecs in the order they were
// injected. A failed call has no effect at all: a failed Append buffers
// nothing and Size() stays, a failed Flush/Close writes nothing (Flush keeps
// the buffer for a retry, Close drops it), a failed Sync neither flushes nor
// syncs, a failed rename/remove/SyncDir/lock/open changes nothing. This holds
// for kNoSpace too (no partial writes); torn data comes from crashes.
//
// Thread safety: as for every Env. One mutex guards all state, so
// RandomAccessFile::Read calls run concurrently but serialize briefly.
// File and lock objects must not outlive the MemEnv.
#ifndef SHALE_UTIL_MEM_ENV_H_
#define SHALE_UTIL_MEM_ENV_H_

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shale/env.h"
#include "shale/status.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace shale {

class Random;

// The kinds of calls MemEnv counts and can fail.
enum class FaultOp : int {
  kAny = 0,   // every call below; CallCount(kAny) is the total
  kOpen,      // NewSequentialFile, NewRandomAccessFile, NewWritableFile,
              // NewAppendableFile
  kRead,      // SequentialFile::Read, RandomAccessFile::Read
  kAppend,    // WritableFile::Append
  kFlush,     // WritableFile::Flush and WritableFile::Close
  kSync,      // WritableFile::Sync and SyncFlushed
  kRename,    // RenameFile, LinkFile (matches if either path matches)
  kRemove,    // RemoveFile, RemoveDir
  kSyncDir,   // SyncDir
  kLock,      // LockFile
  kMetadata,  // GetChildren, GetFileSize, CreateDir
};
inline constexpr int kNumFaultOps = 11;

// "open", "read", ...: the op's name as it appears in injected errors.
const char* FaultOpName(FaultOp op);

// Fails calls of op whose (normalized) path contains path_substring.
struct FaultSpec {
  FaultOp op = FaultOp::kAny;
  std::string path_substring;  // empty matches every path
  // kNoSpace gives Status::NoSpace; any other code gives Status::IOError.
  Status::Code code = Status::Code::kIOError;
  int skip = 0;   // let this many matching calls pass first
  int times = 1;  // then fail this many; -1 fails forever
};

class MemEnv : public Env {
 public:
  MemEnv();
  ~MemEnv() override;

  MemEnv(const MemEnv&) = delete;
  MemEnv& operator=(const MemEnv&) = delete;

  // Env. Errors look like POSIX ones: IOError("<path>", "No such file or
  // directory"), "Is a directory", "Not a directory", "Directory not empty".
  Status NewSequentialFile(const std::string& path,
                           std::unique_ptr<SequentialFile>* result) override;
  Status NewRandomAccessFile(
      const std::string& path,
      std::unique_ptr<RandomAccessFile>* result) override;
  Status NewWritableFile(const std::string& path,
                         std::unique_ptr<WritableFile>* result) override;
  Status NewAppendableFile(const std::string& path,
                           std::unique_ptr<WritableFile>* result) override;
  // Counted and failed as a rename (kRename), then as an open (kOpen); a
  // failed open leaves the rename done, as on a real file system.
  Status ReuseWritableFile(const std::string& old_path, const std::string& path,
                           std::unique_ptr<WritableFile>* result) override;
  bool FileExists(const std::string& path) override;  // file or directory
  // Sorted names of the files and directories directly under dir.
  Status GetChildren(const std::string& dir,
                     std::vector<std::string>* result) override;
  Status RemoveFile(const std::string& path) override;
  Status CreateDir(const std::string& dir) override;
  // Fails unless dir is empty; the root cannot be removed.
  Status RemoveDir(const std::string& dir) override;
  // The flushed size (unflushed bytes in an open handle do not count).
  Status GetFileSize(const std::string& path, uint64_t* size) override;
  Status RenameFile(const std::string& src, const std::string& target) override;
  // A second entry for src's inode (counted and failed as a kRename). Fails
  // if target exists; never NotSupported.
  Status LinkFile(const std::string& src, const std::string& target) override;
  Status SyncDir(const std::string& dir) override;
  // Busy("lock <path>: already held") if this MemEnv holds it. Creates the
  // file like NewAppendableFile would (the entry needs a SyncDir to survive).
  Status LockFile(const std::string& path,
                  std::unique_ptr<FileLock>* lock) override;
  uint64_t NowMicros() override;      // the real steady clock
  uint64_t NowUnixMillis() override;  // the fake clock once set, else real
  void SleepForMicros(uint64_t micros) override;  // really sleeps

  // --- Power loss (see the top of this file for what survives) ---
  void SimulateCrash() EXCLUDES(mu_);
  void SimulateCrashWithTornTails(uint64_t seed) EXCLUDES(mu_);
  // A new MemEnv holding what the crash above would leave; this MemEnv is
  // left untouched (see "Crash clones" at the top of this file).
  std::unique_ptr<MemEnv> CloneAfterCrash() const EXCLUDES(mu_);
  std::unique_ptr<MemEnv> CloneAfterCrashWithTornTails(uint64_t seed) const
      EXCLUDES(mu_);
  // A crash clone where keep(path, synced, size) chooses, for each surviving
  // file, how many bytes to keep (clamped to [synced, size]): for tests that
  // need one file's unsynced tail gone and another's kept. The path is
  // normalized; a file durable under two names is asked once, by the first
  // name in sorted order.
  using KeepFn = std::function<uint64_t(const std::string& path,
                                        uint64_t synced, uint64_t size)>;
  std::unique_ptr<MemEnv> CloneAfterCrashKeeping(const KeepFn& keep) const
      EXCLUDES(mu_);

  // --- Fault injection ---
  // The specs are consulted in injection order; a matching spec first uses
  // up its skip, then fails the call (counting down times). The first spec
  // that fails a call ends the search, so later specs do not see that call.
  void InjectFault(const FaultSpec& spec) EXCLUDES(mu_);
  void ClearFaults() EXCLUDES(mu_);
  // Calls of op since construction or ResetCallCounts, failed ones included.
  // FileExists, Skip and the helpers below are not counted.
  uint64_t CallCount(FaultOp op) const EXCLUDES(mu_);
  void ResetCallCounts() EXCLUDES(mu_);
  // Calls failed by injected faults since construction.
  uint64_t InjectedFaultCount() const EXCLUDES(mu_);

  // --- Fake wall clock (NowUnixMillis only) ---
  void SetUnixMillis(uint64_t millis) EXCLUDES(mu_);
  // Starts the fake clock at the real time if it was not set.
  void AdvanceMillis(uint64_t millis) EXCLUDES(mu_);

  // --- File surgery for corruption tests (no faults, not counted) ---
  // XORs the byte at offset with xor_mask in place. The byte keeps its
  // durability: flipping an unsynced byte is undone by a crash dropping it.
  // InvalidArgument if offset >= the flushed size.
  Status CorruptByte(const std::string& path, uint64_t offset, uint8_t xor_mask)
      EXCLUDES(mu_);
  // Cuts the file to size bytes or extends it with zeros; the whole result
  // counts as synced (as if done on the disk itself).
  Status TruncateFile(const std::string& path, uint64_t size) EXCLUDES(mu_);
  // The file's flushed contents.
  Status ReadFileToString(const std::string& path, std::string* data)
      EXCLUDES(mu_);

 private:
  class SequentialFileImpl;
  class RandomAccessFileImpl;
  class WritableFileImpl;
  class FileLockImpl;

  // Fields guarded by mu_ of the owning MemEnv (not expressible as an
  // annotation here); only MemEnv code holding mu_ touches them.
  // Invariant: synced <= data.size().
  struct Inode {
    std::string data;     // flushed bytes
    uint64_t synced = 0;  // data[0, synced) survives a crash
    // A reused file's durable bytes: a crash leaves data[0, kept) and then
    // base's bytes from there on.
    std::optional<std::string> base;
  };
  using Entries = std::map<std::string, std::shared_ptr<Inode>>;
  // Files directly in a directory, by name. Subdirectories are not entries;
  // they are the keys of dirs_ one level below.
  struct Dir {
    Entries live;
    Entries durable;  // live as of the last SyncDir
  };

  // The normalized form of path (see the top of this file).
  static std::string Normalize(std::string_view path);

  using Dirs = std::map<std::string, Dir>;

  // The directories a crash would leave, built from fresh inodes (nothing is
  // shared with dirs_): each directory's durable entries, each inode cut to
  // what keep says (at least its synced length). Every remaining byte counts
  // as synced. SimulateCrash* and CloneAfterCrash* all use it, so they agree.
  Dirs CrashSurvivors(const KeepFn& keep) const REQUIRES(mu_);
  void CrashLocked(const KeepFn& keep) REQUIRES(mu_);
  std::unique_ptr<MemEnv> CloneAfterCrashImpl(const KeepFn& keep) const
      EXCLUDES(mu_);
  // The cuts of SimulateCrash (nothing unsynced kept) and of the torn-tail
  // variants (a random prefix of each unsynced tail, drawn from rnd).
  static KeepFn KeepSynced();
  static KeepFn KeepRandomPrefix(Random* rnd);
  // Counts the call and returns the injected error, if any.
  Status CheckFault(FaultOp op, const std::string& norm,
                    const std::string& norm2 = {}) REQUIRES(mu_);
  // The file at a normalized path, or null.
  std::shared_ptr<Inode> FindFile(const std::string& norm) REQUIRES(mu_);
  // Creates the directory at a normalized path and its missing ancestors.
  Status MakeDirs(const std::string& norm) REQUIRES(mu_);
  // The file at norm, creating an empty one (and its directories) if missing.
  Status OpenOrCreateFile(const std::string& path, const std::string& norm,
                          std::shared_ptr<Inode>* inode) REQUIRES(mu_);
  Status NewWritable(const std::string& path, bool truncate,
                     std::unique_ptr<WritableFile>* result) EXCLUDES(mu_);
  Status RenameLocked(const std::string& src, const std::string& target,
                      const std::string& from, const std::string& to)
      REQUIRES(mu_);

  mutable Mutex mu_;
  // By normalized path; "/" is always present.
  Dirs dirs_ GUARDED_BY(mu_);
  // Held locks: normalized path -> id of the FileLockImpl holding it.
  std::map<std::string, uint64_t> locks_ GUARDED_BY(mu_);
  uint64_t next_lock_id_ GUARDED_BY(mu_) = 1;
  // Bumped by each crash; handles made under an older value are inert.
  uint64_t generation_ GUARDED_BY(mu_) = 0;
  std::vector<FaultSpec> faults_ GUARDED_BY(mu_);
  std::array<uint64_t, kNumFaultOps> call_counts_ GUARDED_BY(mu_) = {};
  uint64_t injected_faults_ GUARDED_BY(mu_) = 0;
  std::optional<uint64_t> fake_unix_millis_ GUARDED_BY(mu_);
};

}  // namespace shale

#endif  // SHALE_UTIL_MEM_ENV_H_
