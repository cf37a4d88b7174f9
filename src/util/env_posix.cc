// The POSIX Env returned by Env::Default().
//
// Files are plain file descriptors opened with O_CLOEXEC. Reads use read(2)
// and pread(2); writes go through a userspace buffer that Flush hands to the
// kernel. Errors carry the path and strerror(errno); ENOSPC becomes
// Status::NoSpace, every other errno Status::IOError.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>
#include <thread>

#include "shale/env.h"
#include "util/mutex.h"

namespace shale {
namespace {

// Bytes a WritableFile buffers before it must write them to the kernel.
constexpr size_t kWritableBufferSize = 64 * 1024;

Status PosixError(const std::string& context, int err) {
  if (err == ENOSPC) return Status::NoSpace(context, std::strerror(err));
  return Status::IOError(context, std::strerror(err));
}

class PosixSequentialFile final : public SequentialFile {
 public:
  PosixSequentialFile(std::string path, int fd)
      : path_(std::move(path)), fd_(fd) {}
  ~PosixSequentialFile() override { ::close(fd_); }

  Status Read(size_t n, std::string_view* result, char* scratch) override {
    // read(2) may return less than asked before the end (signals, pipes);
    // the contract says a short read means end of file, so keep reading.
    size_t got = 0;
    while (got < n) {
      ssize_t r = ::read(fd_, scratch + got, n - got);
      if (r < 0) {
        if (errno == EINTR) continue;
        *result = {};
        return PosixError(path_, errno);
      }
      if (r == 0) break;
      got += static_cast<size_t>(r);
    }
    *result = std::string_view(scratch, got);
    return Status::OK();
  }

  Status Skip(uint64_t n) override {
    if (::lseek(fd_, static_cast<off_t>(n), SEEK_CUR) == -1) {
      return PosixError(path_, errno);
    }
    return Status::OK();
  }

 private:
  const std::string path_;
  const int fd_;
};

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd)
      : path_(std::move(path)), fd_(fd) {}
  ~PosixRandomAccessFile() override { ::close(fd_); }

  // pread does not move a shared file offset, so concurrent calls are safe.
  Status Read(uint64_t offset, size_t n, std::string_view* result,
              char* scratch) const override {
    size_t got = 0;
    while (got < n) {
      ssize_t r = ::pread(fd_, scratch + got, n - got,
                          static_cast<off_t>(offset + got));
      if (r < 0) {
        if (errno == EINTR) continue;
        *result = {};
        return PosixError(path_, errno);
      }
      if (r == 0) break;
      got += static_cast<size_t>(r);
    }
    *result = std::string_view(scratch, got);
    return Status::OK();
  }

 private:
  const std::string path_;
  const int fd_;
};

// Invariant: size_ == bytes that reached the kernel (including the file's
// size when opened) + buf_.size(). After an error the unwritten bytes stay
// in buf_, so a later Flush retries them and nothing is written twice.
class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd, uint64_t initial_size)
      : path_(std::move(path)), fd_(fd), size_(initial_size) {
    buf_.reserve(kWritableBufferSize);
  }
  ~PosixWritableFile() override {
    if (fd_ >= 0) Close().PermitUncheckedError();
  }

  // A large append bypasses the buffer; if that direct write fails midway,
  // the prefix that reached the kernel stays (as with write(2)) and Size()
  // counts it.
  Status Append(std::string_view data) override {
    if (fd_ < 0) return ClosedError();
    if (buf_.size() + data.size() <= kWritableBufferSize) {
      buf_.append(data);
      size_ += data.size();
      return Status::OK();
    }
    Status s = FlushBuffer();
    if (!s.ok()) return s;
    if (data.size() < kWritableBufferSize) {
      buf_.append(data);
      size_ += data.size();
      return Status::OK();
    }
    size_t written = 0;
    s = WriteAll(data.data(), data.size(), &written);
    size_ += written;
    return s;
  }

  Status Flush() override {
    if (fd_ < 0) return ClosedError();
    return FlushBuffer();
  }

  Status Sync() override {
    if (fd_ < 0) return ClosedError();
    Status s = FlushBuffer();
    if (!s.ok()) return s;
    while (::fdatasync(fd_) != 0) {
      if (errno != EINTR) return PosixError(path_, errno);
    }
    return Status::OK();
  }

  // Touches fd_ only (never the buffer), so an appending thread may run.
  Status SyncFlushed() override {
    if (fd_ < 0) return ClosedError();
    while (::fdatasync(fd_) != 0) {
      if (errno != EINTR) return PosixError(path_, errno);
    }
    return Status::OK();
  }

  // Closing twice is OK. Buffered bytes that fail to flush are lost.
  Status Close() override {
    if (fd_ < 0) return Status::OK();
    Status s = FlushBuffer();
    if (::close(fd_) != 0 && s.ok()) s = PosixError(path_, errno);
    fd_ = -1;
    buf_.clear();
    return s;
  }

  uint64_t Size() const override { return size_; }

 private:
  Status ClosedError() const {
    return Status::IOError(path_, "write to a closed file");
  }

  Status FlushBuffer() {
    size_t written = 0;
    Status s = WriteAll(buf_.data(), buf_.size(), &written);
    buf_.erase(0, written);
    return s;
  }

  // Writes all n bytes unless an error stops it; *written says how many
  // reached the kernel either way.
  Status WriteAll(const char* data, size_t n, size_t* written) {
    *written = 0;
    while (*written < n) {
      ssize_t r = ::write(fd_, data + *written, n - *written);
      if (r < 0) {
        if (errno == EINTR) continue;
        return PosixError(path_, errno);
      }
      *written += static_cast<size_t>(r);
    }
    return Status::OK();
  }

  const std::string path_;
  int fd_;  // -1 once closed
  uint64_t size_;
  std::string buf_;
};

// fcntl locks are per process: a second F_SETLK from the same process
// succeeds, and closing ANY descriptor of the file drops the lock. So the
// process also remembers which lock files it holds, and checks that set
// before it opens the file at all.
class LockTable {
 public:
  // Returns false if key is already held.
  bool Insert(const std::string& key) EXCLUDES(mu_) {
    MutexLock l(&mu_);
    return held_.insert(key).second;
  }
  void Remove(const std::string& key) EXCLUDES(mu_) {
    MutexLock l(&mu_);
    held_.erase(key);
  }

 private:
  Mutex mu_;
  std::set<std::string> held_ GUARDED_BY(mu_);
};

class PosixFileLock final : public FileLock {
 public:
  PosixFileLock(LockTable* table, std::string key, int fd)
      : table_(table), key_(std::move(key)), fd_(fd) {}
  ~PosixFileLock() override {
    struct flock f = {};
    f.l_type = F_UNLCK;
    f.l_whence = SEEK_SET;
    ::fcntl(fd_, F_SETLK, &f);
    ::close(fd_);
    table_->Remove(key_);
  }

 private:
  LockTable* const table_;
  const std::string key_;
  const int fd_;
};

// The key under which the process remembers a lock: the real path of the
// lock file's directory plus its name, so "db/LOCK" and "./db/LOCK" collide.
// Falls back to the path as given if the directory cannot be resolved.
std::string LockKey(const std::string& path) {
  size_t slash = path.rfind('/');
  std::string dir;
  if (slash == std::string::npos) {
    dir = ".";
  } else {
    dir = path.substr(0, std::max<size_t>(slash, 1));  // "/LOCK" -> "/"
  }
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  char* real = ::realpath(dir.c_str(), nullptr);
  if (real == nullptr) return path;
  std::string key = std::string(real) + "/" + name;
  std::free(real);
  return key;
}

class PosixEnv final : public Env {
 public:
  Status NewSequentialFile(const std::string& path,
                           std::unique_ptr<SequentialFile>* result) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return PosixError(path, errno);
    *result = std::make_unique<PosixSequentialFile>(path, fd);
    return Status::OK();
  }

  Status NewRandomAccessFile(
      const std::string& path,
      std::unique_ptr<RandomAccessFile>* result) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return PosixError(path, errno);
    *result = std::make_unique<PosixRandomAccessFile>(path, fd);
    return Status::OK();
  }

  Status NewWritableFile(const std::string& path,
                         std::unique_ptr<WritableFile>* result) override {
    int fd =
        ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return PosixError(path, errno);
    *result = std::make_unique<PosixWritableFile>(path, fd, 0);
    return Status::OK();
  }

  Status ReuseWritableFile(const std::string& old_path, const std::string& path,
                           std::unique_ptr<WritableFile>* result) override {
    if (::rename(old_path.c_str(), path.c_str()) != 0) {
      return PosixError("rename " + old_path + " to " + path, errno);
    }
    // No O_TRUNC, no O_APPEND: write(2) overwrites from offset 0.
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return PosixError(path, errno);
    *result = std::make_unique<PosixWritableFile>(path, fd, 0);
    return Status::OK();
  }

  Status NewAppendableFile(const std::string& path,
                           std::unique_ptr<WritableFile>* result) override {
    int fd =
        ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return PosixError(path, errno);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      Status s = PosixError(path, errno);
      ::close(fd);
      return s;
    }
    *result = std::make_unique<PosixWritableFile>(
        path, fd, static_cast<uint64_t>(st.st_size));
    return Status::OK();
  }

  bool FileExists(const std::string& path) override {
    return ::access(path.c_str(), F_OK) == 0;
  }

  Status GetChildren(const std::string& dir,
                     std::vector<std::string>* result) override {
    result->clear();
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return PosixError(dir, errno);
    errno = 0;
    while (struct dirent* e = ::readdir(d)) {
      std::string_view name(e->d_name);
      if (name != "." && name != "..") result->emplace_back(name);
    }
    Status s = errno != 0 ? PosixError(dir, errno) : Status::OK();
    ::closedir(d);
    return s;
  }

  Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return PosixError(path, errno);
    return Status::OK();
  }

  Status LinkFile(const std::string& src, const std::string& target) override {
    if (::link(src.c_str(), target.c_str()) == 0) return Status::OK();
    const int err = errno;
    // Another file system, or one without hard links: the caller copies.
    if (err == EXDEV || err == EPERM || err == EOPNOTSUPP || err == EMLINK) {
      return Status::NotSupported("link " + src + " to " + target,
                                  std::strerror(err));
    }
    return PosixError("link " + src + " to " + target, err);
  }

  Status CreateDir(const std::string& dir) override {
    if (::mkdir(dir.c_str(), 0755) == 0) return Status::OK();
    int err = errno;
    struct stat st;
    if (err == EEXIST && ::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      return Status::OK();
    }
    return PosixError(dir, err);
  }

  Status RemoveDir(const std::string& dir) override {
    if (::rmdir(dir.c_str()) != 0) return PosixError(dir, errno);
    return Status::OK();
  }

  Status GetFileSize(const std::string& path, uint64_t* size) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) {
      *size = 0;
      return PosixError(path, errno);
    }
    *size = static_cast<uint64_t>(st.st_size);
    return Status::OK();
  }

  Status RenameFile(const std::string& src,
                    const std::string& target) override {
    if (::rename(src.c_str(), target.c_str()) != 0) {
      return PosixError("rename " + src + " to " + target, errno);
    }
    return Status::OK();
  }

  Status SyncDir(const std::string& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return PosixError(dir, errno);
    Status s;
    while (::fsync(fd) != 0) {
      if (errno != EINTR) {
        s = PosixError(dir, errno);
        break;
      }
    }
    ::close(fd);
    return s;
  }

  Status LockFile(const std::string& path,
                  std::unique_ptr<FileLock>* lock) override {
    std::string key = LockKey(path);
    if (!locks_.Insert(key)) {
      return Status::Busy("lock " + path, "already held by this process");
    }
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
      locks_.Remove(key);
      return PosixError("lock " + path, errno);
    }
    struct flock f = {};
    f.l_type = F_WRLCK;
    f.l_whence = SEEK_SET;  // l_start = l_len = 0: the whole file
    if (::fcntl(fd, F_SETLK, &f) != 0) {
      int err = errno;
      ::close(fd);
      locks_.Remove(key);
      if (err == EACCES || err == EAGAIN) {
        return Status::Busy("lock " + path, "already held by another process");
      }
      return PosixError("lock " + path, err);
    }
    *lock = std::make_unique<PosixFileLock>(&locks_, std::move(key), fd);
    return Status::OK();
  }

  uint64_t NowMicros() override {
    return static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(
            std::chrono::steady_clock::now().time_since_epoch())
            .count());
  }

  uint64_t NowUnixMillis() override {
    return static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::system_clock::now().time_since_epoch())
            .count());
  }

  void SleepForMicros(uint64_t micros) override {
    std::this_thread::sleep_for(std::chrono::microseconds(micros));
  }

 private:
  LockTable locks_;
};

}  // namespace

Env* Env::Default() {
  // Deliberately leaked: file locks and files may outlive static destruction.
  static PosixEnv* const env = new PosixEnv;
  return env;
}

}  // namespace shale
