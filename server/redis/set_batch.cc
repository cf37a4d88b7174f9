#include "server/redis/set_batch.h"

#include "server/redis/command.h"

namespace shale::server {

bool SetBatch::Add(Keyspace* ks, std::string_view key, std::string_view value) {
  ks->AddPut(&batch_, key, value, 0, 0);
  keys_.append(key);
  key_ends_.push_back(keys_.size());
  return key_ends_.size() >= kMaxCount || batch_.ApproximateSize() >= kMaxBytes;
}

void SetBatch::Flush(Keyspace* ks, RespWriter* w) {
  if (key_ends_.empty()) return;
  Status s;
  {
    views_.clear();
    size_t begin = 0;
    for (size_t end : key_ends_) {
      views_.push_back(std::string_view(keys_).substr(begin, end - begin));
      begin = end;
    }
    Keyspace::KeyLock lock(ks, views_);
    s = ks->Write(&batch_);
  }
  for (size_t i = 0; i < key_ends_.size(); i++) {
    if (s.ok()) {
      w->Ok();
    } else {
      ReplyStatus(w, s);
    }
  }
  key_ends_.clear();
  views_.clear();
  // Keep the buffers for the next pipeline, unless one big value made them
  // big.
  if (batch_.ApproximateSize() > 2 * kMaxBytes) {
    batch_ = WriteBatch();
  } else {
    batch_.Clear();
  }
  if (keys_.capacity() > kMaxBytes) std::string().swap(keys_);
  keys_.clear();
}

}  // namespace shale::server
