#include "db/filename.h"

#include <cstdio>
#include <memory>

#include "shale/env.h"

namespace shale {

namespace {

constexpr std::string_view kManifestPrefix = "MANIFEST-";

// The number zero-padded to six digits.
std::string PaddedNumber(uint64_t number) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%06llu",
                static_cast<unsigned long long>(number));
  return buf;
}

std::string NumberedFileName(std::string_view dir, uint64_t number,
                             std::string_view suffix) {
  std::string name(dir);
  name += '/';
  name += PaddedNumber(number);
  name += suffix;
  return name;
}

std::string FixedFileName(std::string_view dir, std::string_view name) {
  std::string path(dir);
  path += '/';
  path += name;
  return path;
}

// Consumes the leading decimal digits of *input. False if there are none or
// the value does not fit in 64 bits.
bool ConsumeDecimal(std::string_view* input, uint64_t* value) {
  uint64_t v = 0;
  size_t digits = 0;
  while (digits < input->size()) {
    const char c = (*input)[digits];
    if (c < '0' || c > '9') break;
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
    digits++;
  }
  if (digits == 0) return false;
  input->remove_prefix(digits);
  *value = v;
  return true;
}

}  // namespace

std::string LogFileName(std::string_view dir, uint64_t number) {
  return NumberedFileName(dir, number, ".log");
}

std::string TableFileName(std::string_view dir, uint64_t number) {
  return NumberedFileName(dir, number, ".sst");
}

std::string VlogFileName(std::string_view dir, uint64_t number) {
  return NumberedFileName(dir, number, ".vlog");
}

std::string TempFileName(std::string_view dir, uint64_t number) {
  return NumberedFileName(dir, number, ".dbtmp");
}

std::string DescriptorFileName(std::string_view dir, uint64_t number) {
  return FixedFileName(dir,
                       std::string(kManifestPrefix) + PaddedNumber(number));
}

std::string CurrentFileName(std::string_view dir) {
  return FixedFileName(dir, "CURRENT");
}

std::string LockFileName(std::string_view dir) {
  return FixedFileName(dir, "LOCK");
}

std::string InfoLogFileName(std::string_view dir) {
  return FixedFileName(dir, "LOG");
}

bool ParseFileName(std::string_view name, uint64_t* number, FileType* type) {
  if (name == "CURRENT") {
    *number = 0;
    *type = FileType::kCurrentFile;
    return true;
  }
  if (name == "LOCK") {
    *number = 0;
    *type = FileType::kLockFile;
    return true;
  }
  if (name == "LOG") {
    *number = 0;
    *type = FileType::kInfoLogFile;
    return true;
  }
  uint64_t n;
  if (name.starts_with(kManifestPrefix)) {
    std::string_view rest = name.substr(kManifestPrefix.size());
    if (!ConsumeDecimal(&rest, &n) || !rest.empty()) return false;
    *number = n;
    *type = FileType::kDescriptorFile;
    return true;
  }
  std::string_view rest = name;
  if (!ConsumeDecimal(&rest, &n)) return false;
  static constexpr struct {
    std::string_view suffix;
    FileType type;
  } kSuffixes[] = {
      {".log", FileType::kLogFile},
      {".sst", FileType::kTableFile},
      {".vlog", FileType::kVlogFile},
      {".dbtmp", FileType::kTempFile},
  };
  for (const auto& s : kSuffixes) {
    if (rest == s.suffix) {
      *number = n;
      *type = s.type;
      return true;
    }
  }
  return false;
}

Status SetCurrentFile(Env* env, std::string_view dir, uint64_t manifest_number,
                      bool* renamed) {
  if (renamed != nullptr) *renamed = false;
  std::string manifest = DescriptorFileName(dir, manifest_number);
  std::string_view contents(manifest);
  contents.remove_prefix(dir.size() + 1);  // the name without "dir/"
  const std::string tmp = TempFileName(dir, manifest_number);

  std::unique_ptr<WritableFile> file;
  Status s = env->NewWritableFile(tmp, &file);
  if (s.ok()) {  // else there is no file to write or close
    s = file->Append(contents);
    if (s.ok()) s = file->Append("\n");
    if (s.ok()) s = file->Sync();
    if (s.ok()) {
      s = file->Close();
    } else {
      file->Close().PermitUncheckedError();
    }
    file.reset();
  }
  if (s.ok()) s = env->RenameFile(tmp, CurrentFileName(dir));
  if (!s.ok()) {
    env->RemoveFile(tmp).PermitUncheckedError();
    return s;
  }
  if (renamed != nullptr) *renamed = true;
  // The rename is durable only once the directory is.
  return env->SyncDir(std::string(dir));
}

Status ReadCurrentFile(Env* env, std::string_view dir,
                       uint64_t* manifest_number) {
  const std::string path = CurrentFileName(dir);
  std::unique_ptr<SequentialFile> file;
  Status s = env->NewSequentialFile(path, &file);
  if (!s.ok()) return s;
  // A valid CURRENT is far shorter than this; reading one byte more than the
  // limit tells an oversized file from a full one.
  constexpr size_t kMaxSize = 64;
  char scratch[kMaxSize + 1];
  std::string_view contents;
  s = file->Read(sizeof(scratch), &contents, scratch);
  if (!s.ok()) return s;
  uint64_t number;
  FileType type;
  if (contents.size() > kMaxSize || !contents.ends_with('\n') ||
      !ParseFileName(contents.substr(0, contents.size() - 1), &number, &type) ||
      type != FileType::kDescriptorFile) {
    return Status::Corruption(path, "does not name a MANIFEST");
  }
  *manifest_number = number;
  return Status::OK();
}

}  // namespace shale
