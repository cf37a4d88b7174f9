#include "util/mem_env.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <string_view>
#include <thread>

#include "util/random.h"

namespace shale {
namespace {

constexpr char kNoSuchFile[] = "No such file or directory";

constexpr int Index(FaultOp op) { return static_cast<int>(op); }
static_assert(Index(FaultOp::kMetadata) + 1 == kNumFaultOps);

Status StaleHandleError(const std::string& path) {
  return Status::IOError(path, "file handle from before a simulated crash");
}

// Splits a normalized path other than "/" into its directory and name.
void SplitPath(const std::string& norm, std::string* dir, std::string* name) {
  size_t slash = norm.rfind('/');
  *dir = slash == 0 ? "/" : norm.substr(0, slash);
  *name = norm.substr(slash + 1);
}

}  // namespace

const char* FaultOpName(FaultOp op) {
  switch (op) {
    case FaultOp::kAny:
      return "any";
    case FaultOp::kOpen:
      return "open";
    case FaultOp::kRead:
      return "read";
    case FaultOp::kAppend:
      return "append";
    case FaultOp::kFlush:
      return "flush";
    case FaultOp::kSync:
      return "sync";
    case FaultOp::kRename:
      return "rename";
    case FaultOp::kRemove:
      return "remove";
    case FaultOp::kSyncDir:
      return "syncdir";
    case FaultOp::kLock:
      return "lock";
    case FaultOp::kMetadata:
      return "metadata";
  }
  return "unknown";
}

// --- file and lock objects ---------------------------------------------------

class MemEnv::SequentialFileImpl final : public SequentialFile {
 public:
  SequentialFileImpl(MemEnv* env, std::string path, std::string norm,
                     std::shared_ptr<Inode> inode, uint64_t generation)
      : env_(env),
        path_(std::move(path)),
        norm_(std::move(norm)),
        inode_(std::move(inode)),
        generation_(generation) {}

  Status Read(size_t n, std::string_view* result, char* scratch) override {
    *result = {};
    MutexLock l(&env_->mu_);
    if (generation_ != env_->generation_) return StaleHandleError(path_);
    Status s = env_->CheckFault(FaultOp::kRead, norm_);
    if (!s.ok()) return s;
    const std::string& data = inode_->data;
    uint64_t pos = std::min<uint64_t>(pos_, data.size());
    size_t len = static_cast<size_t>(std::min<uint64_t>(n, data.size() - pos));
    std::memcpy(scratch, data.data() + pos, len);
    pos_ = pos + len;
    *result = std::string_view(scratch, len);
    return Status::OK();
  }

  Status Skip(uint64_t n) override {
    MutexLock l(&env_->mu_);
    if (generation_ != env_->generation_) return StaleHandleError(path_);
    uint64_t size = inode_->data.size();
    pos_ = std::min(size, pos_ + std::min(n, size));
    return Status::OK();
  }

 private:
  MemEnv* const env_;
  const std::string path_;
  const std::string norm_;
  const std::shared_ptr<Inode> inode_;
  const uint64_t generation_;
  uint64_t pos_ = 0;  // used by one thread at a time (SequentialFile contract)
};

class MemEnv::RandomAccessFileImpl final : public RandomAccessFile {
 public:
  RandomAccessFileImpl(MemEnv* env, std::string path, std::string norm,
                       std::shared_ptr<Inode> inode, uint64_t generation)
      : env_(env),
        path_(std::move(path)),
        norm_(std::move(norm)),
        inode_(std::move(inode)),
        generation_(generation) {}

  Status Read(uint64_t offset, size_t n, std::string_view* result,
              char* scratch) const override {
    *result = {};
    MutexLock l(&env_->mu_);
    if (generation_ != env_->generation_) return StaleHandleError(path_);
    Status s = env_->CheckFault(FaultOp::kRead, norm_);
    if (!s.ok()) return s;
    const std::string& data = inode_->data;
    if (offset >= data.size()) return Status::OK();
    size_t len =
        static_cast<size_t>(std::min<uint64_t>(n, data.size() - offset));
    std::memcpy(scratch, data.data() + offset, len);
    *result = std::string_view(scratch, len);
    return Status::OK();
  }

 private:
  MemEnv* const env_;
  const std::string path_;
  const std::string norm_;
  const std::shared_ptr<Inode> inode_;
  const uint64_t generation_;
};

class MemEnv::WritableFileImpl final : public WritableFile {
 public:
  // overwrite: write from offset 0 over the inode's bytes (a reused file)
  // instead of appending at its end.
  WritableFileImpl(MemEnv* env, std::string path, std::string norm,
                   std::shared_ptr<Inode> inode, uint64_t generation,
                   uint64_t initial_size, bool overwrite = false)
      : env_(env),
        path_(std::move(path)),
        norm_(std::move(norm)),
        inode_(std::move(inode)),
        generation_(generation),
        size_(initial_size),
        overwrite_(overwrite) {}

  ~WritableFileImpl() override {
    if (!closed_) Close().PermitUncheckedError();
  }

  Status Append(std::string_view data) override {
    if (closed_) return ClosedError();
    MutexLock l(&env_->mu_);
    if (generation_ != env_->generation_) return StaleHandleError(path_);
    Status s = env_->CheckFault(FaultOp::kAppend, norm_);
    if (!s.ok()) return s;
    buf_.append(data);
    size_ += data.size();
    return Status::OK();
  }

  Status Flush() override {
    if (closed_) return ClosedError();
    MutexLock l(&env_->mu_);
    if (generation_ != env_->generation_) return StaleHandleError(path_);
    Status s = env_->CheckFault(FaultOp::kFlush, norm_);
    if (!s.ok()) return s;
    MoveBufferToInode();
    return Status::OK();
  }

  Status Sync() override {
    if (closed_) return ClosedError();
    MutexLock l(&env_->mu_);
    if (generation_ != env_->generation_) return StaleHandleError(path_);
    Status s = env_->CheckFault(FaultOp::kSync, norm_);
    if (!s.ok()) return s;
    MoveBufferToInode();
    MarkSynced();
    return Status::OK();
  }

  // The buffer is the appending thread's: only the inode (under mu_) is
  // touched.
  Status SyncFlushed() override {
    if (closed_) return ClosedError();
    MutexLock l(&env_->mu_);
    if (generation_ != env_->generation_) return StaleHandleError(path_);
    Status s = env_->CheckFault(FaultOp::kSync, norm_);
    if (!s.ok()) return s;
    MarkSynced();
    return Status::OK();
  }

  Status Close() override {
    if (closed_) return Status::OK();
    closed_ = true;
    std::string buf = std::move(buf_);
    buf_.clear();
    MutexLock l(&env_->mu_);
    if (generation_ != env_->generation_) return Status::OK();
    Status s = env_->CheckFault(FaultOp::kFlush, norm_);
    if (!s.ok()) return s;
    WriteToInode(buf);
    return Status::OK();
  }

  uint64_t Size() const override { return size_; }

 private:
  Status ClosedError() const {
    return Status::IOError(path_, "write to a closed file");
  }

  void MoveBufferToInode() REQUIRES(env_->mu_) {
    WriteToInode(buf_);
    buf_.clear();
  }

  // Appends at the inode's end, like O_APPEND (the inode may have been
  // truncated by a later NewWritableFile of the same path); a reused file's
  // handle writes at its own offset instead, over the old bytes.
  void WriteToInode(std::string_view bytes) REQUIRES(env_->mu_) {
    std::string& data = inode_->data;
    if (!overwrite_) {
      data.append(bytes);
      return;
    }
    const size_t at = std::min<size_t>(written_, data.size());
    const size_t over = std::min(bytes.size(), data.size() - at);
    data.replace(at, over, bytes.substr(0, over));
    data.append(bytes.substr(over));
    written_ = at + bytes.size();
  }

  // Everything flushed is durable: for a reused file, the rewritten prefix,
  // with the whole content as the bytes a later crash falls back to.
  void MarkSynced() REQUIRES(env_->mu_) {
    Inode& inode = *inode_;
    if (!overwrite_ || !inode.base.has_value()) {
      inode.synced = inode.data.size();
      return;
    }
    inode.synced = std::min<uint64_t>(written_, inode.data.size());
    if (inode.synced >= inode.data.size()) {
      inode.base.reset();
    } else {
      inode.base = inode.data;
    }
  }

  MemEnv* const env_;
  const std::string path_;
  const std::string norm_;
  const std::shared_ptr<Inode> inode_;
  const uint64_t generation_;
  // Used by one thread at a time (WritableFile contract), so unguarded.
  std::string buf_;  // appended, not yet flushed
  uint64_t size_;
  bool closed_ = false;
  const bool overwrite_;
  size_t written_ GUARDED_BY(env_->mu_) = 0;  // overwrite_: bytes flushed
};

class MemEnv::FileLockImpl final : public FileLock {
 public:
  FileLockImpl(MemEnv* env, std::string norm, uint64_t id)
      : env_(env), norm_(std::move(norm)), id_(id) {}
  ~FileLockImpl() override {
    MutexLock l(&env_->mu_);
    // A crash released this lock; someone may hold a new one on the path.
    auto it = env_->locks_.find(norm_);
    if (it != env_->locks_.end() && it->second == id_) env_->locks_.erase(it);
  }

 private:
  MemEnv* const env_;
  const std::string norm_;
  const uint64_t id_;
};

// --- helpers -----------------------------------------------------------------

MemEnv::MemEnv() {
  MutexLock l(&mu_);
  dirs_["/"];
}

MemEnv::~MemEnv() = default;

std::string MemEnv::Normalize(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    start = end + 1;
  }
  if (parts.empty()) return "/";
  std::string norm;
  for (std::string_view part : parts) {
    norm += '/';
    norm += part;
  }
  return norm;
}

Status MemEnv::CheckFault(FaultOp op, const std::string& norm,
                          const std::string& norm2) {
  call_counts_[Index(op)]++;
  call_counts_[Index(FaultOp::kAny)]++;
  for (FaultSpec& f : faults_) {
    if (f.times == 0) continue;
    if (f.op != FaultOp::kAny && f.op != op) continue;
    bool matches =
        norm.find(f.path_substring) != std::string::npos ||
        (!norm2.empty() && norm2.find(f.path_substring) != std::string::npos);
    if (!matches) continue;
    if (f.skip > 0) {
      f.skip--;
      continue;
    }
    if (f.times > 0) f.times--;
    injected_faults_++;
    std::string what = std::string("injected ") + FaultOpName(op) + " fault";
    if (f.code == Status::Code::kNoSpace) {
      return Status::NoSpace(norm, what + ": No space left on device");
    }
    return Status::IOError(norm, what);
  }
  return Status::OK();
}

std::shared_ptr<MemEnv::Inode> MemEnv::FindFile(const std::string& norm) {
  if (norm == "/") return nullptr;
  std::string dir, name;
  SplitPath(norm, &dir, &name);
  auto d = dirs_.find(dir);
  if (d == dirs_.end()) return nullptr;
  auto e = d->second.live.find(name);
  return e == d->second.live.end() ? nullptr : e->second;
}

Status MemEnv::MakeDirs(const std::string& norm) {
  // Check every ancestor first so that a failure creates nothing.
  std::vector<std::string> missing;
  for (std::string p = norm; dirs_.count(p) == 0;) {
    if (FindFile(p) != nullptr) return Status::IOError(p, "Not a directory");
    missing.push_back(p);
    p = p.substr(0, std::max<size_t>(p.rfind('/'), 1));
  }
  for (const std::string& p : missing) dirs_[p];
  return Status::OK();
}

Status MemEnv::OpenOrCreateFile(const std::string& path,
                                const std::string& norm,
                                std::shared_ptr<Inode>* inode) {
  if (dirs_.count(norm) != 0) return Status::IOError(path, "Is a directory");
  std::string dir, name;
  SplitPath(norm, &dir, &name);
  Status s = MakeDirs(dir);
  if (!s.ok()) return s;
  std::shared_ptr<Inode>& slot = dirs_[dir].live[name];
  if (slot == nullptr) slot = std::make_shared<Inode>();
  *inode = slot;
  return Status::OK();
}

MemEnv::KeepFn MemEnv::KeepSynced() {
  return [](const std::string&, uint64_t synced, uint64_t) { return synced; };
}

MemEnv::KeepFn MemEnv::KeepRandomPrefix(Random* rnd) {
  return [rnd](const std::string&, uint64_t synced, uint64_t size) {
    return size > synced ? synced + rnd->Uniform(size - synced + 1) : synced;
  };
}

MemEnv::Dirs MemEnv::CrashSurvivors(const KeepFn& keep_fn) const {
  // An inode may be durable under two names (a rename across directories
  // whose target was SyncDir'ed but not its source); it gets one copy.
  std::map<const Inode*, std::shared_ptr<Inode>> copies;
  Dirs survivors;
  // Directories and entries are visited in sorted order, so the cuts depend
  // only on keep_fn (for the torn variants, rnd's seed) and the durable state.
  for (const auto& [dir_path, dir] : dirs_) {
    Entries entries;
    for (const auto& [name, inode] : dir.durable) {
      std::shared_ptr<Inode>& copy = copies[inode.get()];
      if (copy == nullptr) {
        const uint64_t size = inode->data.size();
        const std::string path =
            dir_path == "/" ? "/" + name : dir_path + "/" + name;
        uint64_t keep =
            std::clamp(keep_fn(path, inode->synced, size), inode->synced, size);
        copy = std::make_shared<Inode>();
        copy->data = inode->data.substr(0, static_cast<size_t>(keep));
        if (inode->base.has_value() && inode->base->size() > keep) {
          copy->data.append(*inode->base, static_cast<size_t>(keep));
        }
        copy->synced = copy->data.size();
      }
      entries.emplace_hint(entries.end(), name, copy);
    }
    Dir& survivor = survivors[dir_path];
    survivor.live = entries;
    survivor.durable = std::move(entries);
  }
  return survivors;
}

void MemEnv::CrashLocked(const KeepFn& keep) {
  // Fresh inodes leave the old ones to the stale handles, which are inert.
  dirs_ = CrashSurvivors(keep);
  generation_++;
  locks_.clear();
}

std::unique_ptr<MemEnv> MemEnv::CloneAfterCrashImpl(const KeepFn& keep) const {
  Dirs dirs;
  std::optional<uint64_t> fake_unix_millis;
  {
    MutexLock l(&mu_);
    dirs = CrashSurvivors(keep);
    fake_unix_millis = fake_unix_millis_;
  }
  // No one else can see the clone yet; its lock only satisfies the analysis.
  auto clone = std::make_unique<MemEnv>();
  MutexLock l(&clone->mu_);
  clone->dirs_ = std::move(dirs);
  clone->fake_unix_millis_ = fake_unix_millis;
  return clone;
}

// --- Env ---------------------------------------------------------------------

Status MemEnv::NewSequentialFile(const std::string& path,
                                 std::unique_ptr<SequentialFile>* result) {
  std::string norm = Normalize(path);
  MutexLock l(&mu_);
  Status s = CheckFault(FaultOp::kOpen, norm);
  if (!s.ok()) return s;
  std::shared_ptr<Inode> inode = FindFile(norm);
  if (inode == nullptr) {
    return Status::IOError(
        path, dirs_.count(norm) != 0 ? "Is a directory" : kNoSuchFile);
  }
  *result = std::make_unique<SequentialFileImpl>(this, path, norm,
                                                 std::move(inode), generation_);
  return Status::OK();
}

Status MemEnv::NewRandomAccessFile(const std::string& path,
                                   std::unique_ptr<RandomAccessFile>* result) {
  std::string norm = Normalize(path);
  MutexLock l(&mu_);
  Status s = CheckFault(FaultOp::kOpen, norm);
  if (!s.ok()) return s;
  std::shared_ptr<Inode> inode = FindFile(norm);
  if (inode == nullptr) {
    return Status::IOError(
        path, dirs_.count(norm) != 0 ? "Is a directory" : kNoSuchFile);
  }
  *result = std::make_unique<RandomAccessFileImpl>(
      this, path, norm, std::move(inode), generation_);
  return Status::OK();
}

Status MemEnv::NewWritable(const std::string& path, bool truncate,
                           std::unique_ptr<WritableFile>* result) {
  std::string norm = Normalize(path);
  std::unique_ptr<WritableFile> file;
  {
    MutexLock l(&mu_);
    Status s = CheckFault(FaultOp::kOpen, norm);
    if (!s.ok()) return s;
    std::shared_ptr<Inode> inode;
    s = OpenOrCreateFile(path, norm, &inode);
    if (!s.ok()) return s;
    if (truncate) {
      inode->data.clear();
      inode->synced = 0;
      inode->base.reset();
    }
    uint64_t size = inode->data.size();
    file = std::make_unique<WritableFileImpl>(
        this, path, norm, std::move(inode), generation_, size);
  }
  // Outside mu_: this destroys the handle *result held, which may be one of
  // ours that closes itself under mu_.
  *result = std::move(file);
  return Status::OK();
}

Status MemEnv::NewWritableFile(const std::string& path,
                               std::unique_ptr<WritableFile>* result) {
  return NewWritable(path, /*truncate=*/true, result);
}

Status MemEnv::NewAppendableFile(const std::string& path,
                                 std::unique_ptr<WritableFile>* result) {
  return NewWritable(path, /*truncate=*/false, result);
}

bool MemEnv::FileExists(const std::string& path) {
  std::string norm = Normalize(path);
  MutexLock l(&mu_);
  return dirs_.count(norm) != 0 || FindFile(norm) != nullptr;
}

Status MemEnv::GetChildren(const std::string& dir,
                           std::vector<std::string>* result) {
  result->clear();
  std::string norm = Normalize(dir);
  MutexLock l(&mu_);
  Status s = CheckFault(FaultOp::kMetadata, norm);
  if (!s.ok()) return s;
  auto d = dirs_.find(norm);
  if (d == dirs_.end()) {
    return Status::IOError(
        dir, FindFile(norm) != nullptr ? "Not a directory" : kNoSuchFile);
  }
  for (const auto& [name, inode] : d->second.live) result->push_back(name);
  // Every directory below norm sorts in one run starting at the prefix.
  std::string prefix = norm == "/" ? "/" : norm + "/";
  for (auto it = dirs_.lower_bound(prefix);
       it != dirs_.end() && it->first.compare(0, prefix.size(), prefix) == 0;
       ++it) {
    std::string_view rest = std::string_view(it->first).substr(prefix.size());
    if (!rest.empty() && rest.find('/') == std::string_view::npos) {
      result->emplace_back(rest);
    }
  }
  std::sort(result->begin(), result->end());
  return Status::OK();
}

Status MemEnv::RemoveFile(const std::string& path) {
  std::string norm = Normalize(path);
  MutexLock l(&mu_);
  Status s = CheckFault(FaultOp::kRemove, norm);
  if (!s.ok()) return s;
  if (FindFile(norm) == nullptr) {
    return Status::IOError(
        path, dirs_.count(norm) != 0 ? "Is a directory" : kNoSuchFile);
  }
  std::string dir, name;
  SplitPath(norm, &dir, &name);
  dirs_[dir].live.erase(name);
  return Status::OK();
}

Status MemEnv::CreateDir(const std::string& dir) {
  std::string norm = Normalize(dir);
  MutexLock l(&mu_);
  Status s = CheckFault(FaultOp::kMetadata, norm);
  if (!s.ok()) return s;
  if (FindFile(norm) != nullptr) return Status::IOError(dir, "File exists");
  return MakeDirs(norm);
}

Status MemEnv::RemoveDir(const std::string& dir) {
  std::string norm = Normalize(dir);
  MutexLock l(&mu_);
  Status s = CheckFault(FaultOp::kRemove, norm);
  if (!s.ok()) return s;
  auto d = dirs_.find(norm);
  if (d == dirs_.end()) {
    return Status::IOError(
        dir, FindFile(norm) != nullptr ? "Not a directory" : kNoSuchFile);
  }
  if (norm == "/") return Status::IOError(dir, "Device or resource busy");
  std::string prefix = norm + "/";
  auto sub = dirs_.lower_bound(prefix);
  bool has_subdirs =
      sub != dirs_.end() && sub->first.compare(0, prefix.size(), prefix) == 0;
  if (!d->second.live.empty() || has_subdirs) {
    return Status::IOError(dir, "Directory not empty");
  }
  dirs_.erase(d);
  return Status::OK();
}

Status MemEnv::GetFileSize(const std::string& path, uint64_t* size) {
  *size = 0;
  std::string norm = Normalize(path);
  MutexLock l(&mu_);
  Status s = CheckFault(FaultOp::kMetadata, norm);
  if (!s.ok()) return s;
  std::shared_ptr<Inode> inode = FindFile(norm);
  if (inode == nullptr) {
    // Like stat(2), a directory has a size; report 0 for it.
    if (dirs_.count(norm) != 0) return Status::OK();
    return Status::IOError(path, kNoSuchFile);
  }
  *size = inode->data.size();
  return Status::OK();
}

Status MemEnv::RenameFile(const std::string& src, const std::string& target) {
  std::string from = Normalize(src);
  std::string to = Normalize(target);
  MutexLock l(&mu_);
  return RenameLocked(src, target, from, to);
}

Status MemEnv::LinkFile(const std::string& src, const std::string& target) {
  std::string from = Normalize(src);
  std::string to = Normalize(target);
  MutexLock l(&mu_);
  Status s = CheckFault(FaultOp::kRename, from, to);
  if (!s.ok()) return s;
  const std::string context = "link " + src + " to " + target;
  std::shared_ptr<Inode> inode = FindFile(from);
  if (inode == nullptr) {
    return Status::IOError(context, dirs_.count(from) != 0
                                        ? "Operation not permitted"
                                        : kNoSuchFile);
  }
  if (FindFile(to) != nullptr || dirs_.count(to) != 0) {
    return Status::IOError(context, "File exists");
  }
  std::string to_dir, to_name;
  SplitPath(to, &to_dir, &to_name);
  if (dirs_.count(to_dir) == 0) return Status::IOError(context, kNoSuchFile);
  dirs_[to_dir].live[to_name] = std::move(inode);
  return Status::OK();
}

Status MemEnv::ReuseWritableFile(const std::string& old_path,
                                 const std::string& path,
                                 std::unique_ptr<WritableFile>* result) {
  std::string from = Normalize(old_path);
  std::string to = Normalize(path);
  std::unique_ptr<WritableFile> file;
  {
    MutexLock l(&mu_);
    Status s = RenameLocked(old_path, path, from, to);
    if (!s.ok()) return s;
    s = CheckFault(FaultOp::kOpen, to);
    if (!s.ok()) return s;
    std::shared_ptr<Inode> inode = FindFile(to);
    // What a crash falls back to: the bytes as they are. (Bytes the old
    // file never synced count as durable: a harsher test of the reader,
    // which then meets more of the old log.)
    inode->base = inode->data;
    inode->synced = 0;
    file = std::make_unique<WritableFileImpl>(this, path, to, std::move(inode),
                                              generation_, 0,
                                              /*overwrite=*/true);
  }
  *result = std::move(file);  // outside mu_, as in NewWritable
  return Status::OK();
}

Status MemEnv::RenameLocked(const std::string& src, const std::string& target,
                            const std::string& from, const std::string& to) {
  Status s = CheckFault(FaultOp::kRename, from, to);
  if (!s.ok()) return s;
  std::shared_ptr<Inode> inode = FindFile(from);
  if (inode == nullptr) {
    return Status::IOError("rename " + src + " to " + target,
                           dirs_.count(from) != 0
                               ? "renaming directories is not supported"
                               : kNoSuchFile);
  }
  if (dirs_.count(to) != 0) {
    return Status::IOError("rename " + src + " to " + target, "Is a directory");
  }
  if (from == to) return Status::OK();
  std::string from_dir, from_name, to_dir, to_name;
  SplitPath(from, &from_dir, &from_name);
  SplitPath(to, &to_dir, &to_name);
  s = MakeDirs(to_dir);
  if (!s.ok()) return s;
  dirs_[to_dir].live[to_name] = std::move(inode);
  dirs_[from_dir].live.erase(from_name);
  return Status::OK();
}

Status MemEnv::SyncDir(const std::string& dir) {
  std::string norm = Normalize(dir);
  MutexLock l(&mu_);
  Status s = CheckFault(FaultOp::kSyncDir, norm);
  if (!s.ok()) return s;
  auto d = dirs_.find(norm);
  if (d == dirs_.end()) {
    return Status::IOError(
        dir, FindFile(norm) != nullptr ? "Not a directory" : kNoSuchFile);
  }
  d->second.durable = d->second.live;
  return Status::OK();
}

Status MemEnv::LockFile(const std::string& path,
                        std::unique_ptr<FileLock>* lock) {
  std::string norm = Normalize(path);
  std::unique_ptr<FileLock> held;
  {
    MutexLock l(&mu_);
    Status s = CheckFault(FaultOp::kLock, norm);
    if (!s.ok()) return s;
    if (locks_.count(norm) != 0) {
      return Status::Busy("lock " + path, "already held");
    }
    std::shared_ptr<Inode> inode;
    s = OpenOrCreateFile(path, norm, &inode);
    if (!s.ok()) return s;
    uint64_t id = next_lock_id_++;
    locks_[norm] = id;
    held = std::make_unique<FileLockImpl>(this, norm, id);
  }
  // Outside mu_: a FileLock *lock held is released under mu_ as it goes.
  *lock = std::move(held);
  return Status::OK();
}

uint64_t MemEnv::NowMicros() { return Env::Default()->NowMicros(); }

uint64_t MemEnv::NowUnixMillis() {
  {
    MutexLock l(&mu_);
    if (fake_unix_millis_.has_value()) return *fake_unix_millis_;
  }
  return Env::Default()->NowUnixMillis();
}

void MemEnv::SleepForMicros(uint64_t micros) {
  Env::Default()->SleepForMicros(micros);
}

// --- test controls -----------------------------------------------------------

void MemEnv::SimulateCrash() {
  MutexLock l(&mu_);
  CrashLocked(KeepSynced());
}

void MemEnv::SimulateCrashWithTornTails(uint64_t seed) {
  Random rnd(seed);
  MutexLock l(&mu_);
  CrashLocked(KeepRandomPrefix(&rnd));
}

std::unique_ptr<MemEnv> MemEnv::CloneAfterCrash() const {
  return CloneAfterCrashImpl(KeepSynced());
}

std::unique_ptr<MemEnv> MemEnv::CloneAfterCrashKeeping(
    const KeepFn& keep) const {
  return CloneAfterCrashImpl(keep);
}

std::unique_ptr<MemEnv> MemEnv::CloneAfterCrashWithTornTails(
    uint64_t seed) const {
  Random rnd(seed);
  return CloneAfterCrashImpl(KeepRandomPrefix(&rnd));
}

void MemEnv::InjectFault(const FaultSpec& spec) {
  MutexLock l(&mu_);
  faults_.push_back(spec);
}

void MemEnv::ClearFaults() {
  MutexLock l(&mu_);
  faults_.clear();
}

uint64_t MemEnv::CallCount(FaultOp op) const {
  MutexLock l(&mu_);
  return call_counts_[Index(op)];
}

void MemEnv::ResetCallCounts() {
  MutexLock l(&mu_);
  call_counts_.fill(0);
}

uint64_t MemEnv::InjectedFaultCount() const {
  MutexLock l(&mu_);
  return injected_faults_;
}

void MemEnv::SetUnixMillis(uint64_t millis) {
  MutexLock l(&mu_);
  fake_unix_millis_ = millis;
}

void MemEnv::AdvanceMillis(uint64_t millis) {
  uint64_t now = Env::Default()->NowUnixMillis();
  MutexLock l(&mu_);
  fake_unix_millis_ = fake_unix_millis_.value_or(now) + millis;
}

Status MemEnv::CorruptByte(const std::string& path, uint64_t offset,
                           uint8_t xor_mask) {
  std::string norm = Normalize(path);
  MutexLock l(&mu_);
  std::shared_ptr<Inode> inode = FindFile(norm);
  if (inode == nullptr) return Status::IOError(path, kNoSuchFile);
  if (offset >= inode->data.size()) {
    return Status::InvalidArgument(path, "corrupt offset past the end");
  }
  inode->data[offset] = static_cast<char>(inode->data[offset] ^ xor_mask);
  return Status::OK();
}

Status MemEnv::TruncateFile(const std::string& path, uint64_t size) {
  std::string norm = Normalize(path);
  MutexLock l(&mu_);
  std::shared_ptr<Inode> inode = FindFile(norm);
  if (inode == nullptr) return Status::IOError(path, kNoSuchFile);
  inode->data.resize(static_cast<size_t>(size), '\0');
  inode->synced = size;
  inode->base.reset();
  return Status::OK();
}

Status MemEnv::ReadFileToString(const std::string& path, std::string* data) {
  data->clear();
  std::string norm = Normalize(path);
  MutexLock l(&mu_);
  std::shared_ptr<Inode> inode = FindFile(norm);
  if (inode == nullptr) return Status::IOError(path, kNoSuchFile);
  *data = inode->data;
  return Status::OK();
}

std::unique_ptr<Env> NewMemEnv() { return std::make_unique<MemEnv>(); }

}  // namespace shale
