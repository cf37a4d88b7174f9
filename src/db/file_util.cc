#include "db/file_util.h"

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
  if (s.ok() && sync) s = file->Sync();
  if (s.ok()) {
    s = file->Close();
  } else {
    file->Close().PermitUncheckedError();
  }
  if (!s.ok()) env->RemoveFile(path).PermitUncheckedError();
  return s;
}

}  // namespace shale
