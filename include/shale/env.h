// Env: the one seam through which shale touches the operating system.
//
// Every file, directory, lock and clock access of the engine goes through an
// Env passed in Options, so tests can substitute an in-memory filesystem that
// simulates power loss or injects I/O errors. Env::Default() is the POSIX
// implementation; NewMemEnv() returns an in-memory one.
//
// Thread safety: every Env method may be called concurrently from any thread.
// A single file object is used by one thread at a time, except
// RandomAccessFile, whose Read may be called concurrently.
#ifndef SHALE_INCLUDE_ENV_H_
#define SHALE_INCLUDE_ENV_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "shale/status.h"

namespace shale {

// A file read from start to end (WAL and MANIFEST recovery).
class SequentialFile {
 public:
  virtual ~SequentialFile() = default;

  // Reads up to n bytes. *result points either into scratch (which must hold
  // n bytes) or into memory owned by the file that stays valid until the next
  // call. A short read, including an empty one, means end of file.
  virtual Status Read(size_t n, std::string_view* result, char* scratch) = 0;

  // Skips n bytes; skipping past the end stops at the end.
  virtual Status Skip(uint64_t n) = 0;
};

// A file read at arbitrary offsets (tables, value logs). Read is thread-safe.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;

  // Reads up to n bytes at offset; *result may point into scratch (n bytes)
  // or into memory owned by the file that lives as long as the file object.
  // Fewer than n bytes are returned only at end of file.
  virtual Status Read(uint64_t offset, size_t n, std::string_view* result,
                      char* scratch) const = 0;
};

// A file written sequentially. Data handed to Append is visible to readers
// of the file after Flush (it has reached the OS and survives a process
// crash); it survives power loss only after Sync.
class WritableFile {
 public:
  virtual ~WritableFile() = default;

  virtual Status Append(std::string_view data) = 0;
  virtual Status Flush() = 0;
  virtual Status Sync() = 0;  // Flush, then fdatasync/fsync.
  // Makes durable what earlier Flush, Sync or Close calls handed to the OS,
  // leaving unflushed data alone, so that one other thread may Append and
  // Flush meanwhile (the DB syncs its WAL this way without stopping its
  // writers). Not safe against a concurrent Close. The default returns
  // NotSupported; the DB then syncs through its write queue instead.
  virtual Status SyncFlushed() { return Status::NotSupported("SyncFlushed"); }
  virtual Status Close() = 0;
  // Bytes appended so far (including ones not yet flushed).
  virtual uint64_t Size() const = 0;
};

// A held lock on a file (the LOCK file of a DB directory).
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class Env {
 public:
  virtual ~Env() = default;

  // The process-wide POSIX Env. Never deleted.
  static Env* Default();

  virtual Status NewSequentialFile(const std::string& path,
                                   std::unique_ptr<SequentialFile>* result) = 0;
  virtual Status NewRandomAccessFile(
      const std::string& path, std::unique_ptr<RandomAccessFile>* result) = 0;
  // Creates or truncates.
  virtual Status NewWritableFile(const std::string& path,
                                 std::unique_ptr<WritableFile>* result) = 0;
  // Opens for appending, creating the file when missing.
  virtual Status NewAppendableFile(const std::string& path,
                                   std::unique_ptr<WritableFile>* result) = 0;
  // Renames old_path to path (as RenameFile) and opens it for writing from
  // offset 0 without truncating it: writes overwrite the old bytes in place,
  // and what they have not reached yet stays in the file. Size() counts the
  // bytes written through *result only. Reusing a file keeps its blocks and
  // cached pages, which writing a new file allocates anew. The rename is
  // durable after SyncDir; until a Sync, a crash may leave any mix of old
  // and new bytes where new ones were written. Returns NotSupported (doing
  // nothing) by default: callers then create a new file instead.
  virtual Status ReuseWritableFile(const std::string& old_path,
                                   const std::string& path,
                                   std::unique_ptr<WritableFile>* result) {
    (void)old_path;
    (void)path;
    (void)result;
    return Status::NotSupported("ReuseWritableFile");
  }

  virtual bool FileExists(const std::string& path) = 0;
  // Names (not paths) of the entries in dir, without "." and "..".
  virtual Status GetChildren(const std::string& dir,
                             std::vector<std::string>* result) = 0;
  virtual Status RemoveFile(const std::string& path) = 0;
  // OK when the directory exists already.
  virtual Status CreateDir(const std::string& dir) = 0;
  virtual Status RemoveDir(const std::string& dir) = 0;
  virtual Status GetFileSize(const std::string& path, uint64_t* size) = 0;
  // Atomically replaces target if it exists.
  virtual Status RenameFile(const std::string& src,
                            const std::string& target) = 0;
  // Gives the file at src a second name, target (a hard link: both names
  // share one file; writes through either show in both). target must not
  // exist. Durable after SyncDir of target's directory. NotSupported when
  // the two paths are on different file systems or the file system cannot
  // link (the caller then copies, as DB::CreateCheckpoint does); that is
  // also the default.
  virtual Status LinkFile(const std::string& src, const std::string& target) {
    (void)src;
    (void)target;
    return Status::NotSupported("LinkFile");
  }
  // Makes the directory's entries (creations, renames, removals) durable.
  virtual Status SyncDir(const std::string& dir) = 0;

  // Takes an exclusive lock on path, creating it if needed. Fails with Busy
  // if another process, or this process, already holds it.
  virtual Status LockFile(const std::string& path,
                          std::unique_ptr<FileLock>* lock) = 0;

  // Microseconds since some fixed point; only differences are meaningful.
  virtual uint64_t NowMicros() = 0;
  // Wall-clock milliseconds since the Unix epoch (used for key expiry).
  virtual uint64_t NowUnixMillis() = 0;
  virtual void SleepForMicros(uint64_t micros) = 0;
};

// An in-memory Env. Files live in memory and vanish with the Env. It remembers
// what was synced, so a test can simulate power loss; see
// src/util/mem_env.h for the crash and error-injection controls.
std::unique_ptr<Env> NewMemEnv();

}  // namespace shale

#endif  // SHALE_INCLUDE_ENV_H_
