#include "server/redis/set_batch.h"

#include "server/redis/command.h"

namespace shale::server {

bool SetBatch::Add(std::string* key, std::string* value) {
  bytes_ += key->size() + value->size();
  keys_.push_back(std::move(*key));
  values_.push_back(std::move(*value));
  return keys_.size() >= kMaxCount || bytes_ >= kMaxBytes;
}

void SetBatch::Flush(Keyspace* ks, RespWriter* w) {
  if (keys_.empty()) return;
  Status s;
  {
    std::vector<std::string_view> views(keys_.begin(), keys_.end());
    Keyspace::KeyLock lock(ks, views);
    WriteBatch batch;
    for (size_t i = 0; i < keys_.size(); i++) {
      ks->AddPut(&batch, keys_[i], values_[i], 0, 0);
    }
    s = ks->Write(&batch);
  }
  for (size_t i = 0; i < keys_.size(); i++) {
    if (s.ok()) {
      w->Ok();
    } else {
      ReplyStatus(w, s);
    }
  }
  keys_.clear();
  values_.clear();
  bytes_ = 0;
}

}  // namespace shale::server
