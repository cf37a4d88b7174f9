#include "server/redis/get_batch.h"

#include <span>

#include "server/redis/command.h"

namespace shale::server {

GetBatch::GetBatch() : entries_(std::make_unique<Entry[]>(kMaxCount)) {}

bool GetBatch::Add(std::string_view key) {
  keys_.append(key);
  key_ends_.push_back(keys_.size());
  return key_ends_.size() >= kMaxCount;
}

void GetBatch::Flush(KeyspaceDb* ks, RespWriter* w) {
  const size_t n = key_ends_.size();
  if (n == 0) return;
  views_.clear();
  size_t begin = 0;
  for (size_t end : key_ends_) {
    views_.push_back(std::string_view(keys_).substr(begin, end - begin));
    begin = end;
  }
  statuses_.resize(n);
  std::span<Entry> entries(entries_.get(), n);
  ks->MultiGet(views_, entries, statuses_);
  for (size_t i = 0; i < n; i++) {
    if (statuses_[i].ok() && entries[i].meta().type != KeyType::kString) {
      w->Error(kErrWrongType);
    } else if (statuses_[i].ok()) {
      w->Bulk(entries[i].payload());
    } else if (statuses_[i].IsNotFound()) {
      w->Null();
    } else {
      ReplyStatus(w, statuses_[i]);
    }
    // Keep each buffer for the next batch, unless one big value made it big.
    entries[i].Trim();
  }
  key_ends_.clear();
  views_.clear();
  if (keys_.capacity() > (1u << 20)) std::string().swap(keys_);
  keys_.clear();
}

}  // namespace shale::server
