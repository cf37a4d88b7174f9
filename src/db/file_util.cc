#include "db/file_util.h"

#include <algorithm>
#include <memory>

namespace shale {

Status ReadFileToString(Env* env, const std::string& path, std::string* data,
                        size_t max_bytes) {
  data->clear();
  std::unique_ptr<SequentialFile> file;
  Status s = env->NewSequentialFile(path, &file);
  if (!s.ok()) return s;
  constexpr size_t kChunk = 8192;
  std::string scratch(kChunk, '\0');
  while (true) {
    std::string_view fragment;
    s = file->Read(kChunk, &fragment, scratch.data());
    if (!s.ok()) return s;
    if (fragment.empty()) break;
    data->append(fragment.data(), fragment.size());
    if (data->size() > max_bytes) {
      return Status::Corruption(path, "file is larger than expected");
    }
  }
  return Status::OK();
}

Status WriteStringToFile(Env* env, std::string_view data,
                         const std::string& path, bool sync) {
  std::unique_ptr<WritableFile> file;
  Status s = env->NewWritableFile(path, &file);
  if (!s.ok()) return s;
  s = file->Append(data);
  return FinishNewFile(env, path, std::move(file), s, sync);
}

Status FinishNewFile(Env* env, const std::string& path,
                     std::unique_ptr<WritableFile> file, Status s, bool sync) {
  if (s.ok() && sync) s = file->Sync();
  if (s.ok()) {
    s = file->Close();
  } else {
    file->Close().PermitUncheckedError();
  }
  if (!s.ok()) env->RemoveFile(path).PermitUncheckedError();
  return s;
}

Status CopyFile(Env* env, const std::string& src, const std::string& target,
                uint64_t bytes, uint64_t* copied) {
  if (copied != nullptr) *copied = 0;
  std::unique_ptr<SequentialFile> in;
  Status s = env->NewSequentialFile(src, &in);
  if (!s.ok()) return s;
  std::unique_ptr<WritableFile> out;
  s = env->NewWritableFile(target, &out);
  if (!s.ok()) return s;
  constexpr size_t kChunk = 1 << 20;
  std::string scratch(kChunk, '\0');
  uint64_t done = 0;
  while (s.ok() && done < bytes) {
    std::string_view chunk;
    s = in->Read(static_cast<size_t>(std::min<uint64_t>(kChunk, bytes - done)),
                 &chunk, scratch.data());
    if (!s.ok()) break;
    if (chunk.empty()) {
      if (bytes != kWholeFile) {
        s = Status::Corruption(src, "shorter than expected (" +
                                        std::to_string(done) + " of " +
                                        std::to_string(bytes) + " bytes)");
      }
      break;
    }
    s = out->Append(chunk);
    done += chunk.size();
  }
  s = FinishNewFile(env, target, std::move(out), s, /*sync=*/true);
  if (s.ok() && copied != nullptr) *copied = done;
  return s;
}

}  // namespace shale
