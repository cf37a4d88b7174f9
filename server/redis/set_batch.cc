#include "server/redis/set_batch.h"

#include "server/keyspace/key_codec.h"
#include "server/redis/command.h"

namespace shale::server {

Status SetBatch::Reencode(uint32_t ns) {
  // Each entry is a string's metadata Put (no expiry): same value, the key
  // moved to namespace ns.
  struct Handler : WriteBatch::Handler {
    WriteBatch out;
    std::string key;
    uint32_t ns;
    bool ok = true;
    void Put(std::string_view k, std::string_view v, uint64_t at) override {
      uint32_t old_ns;
      std::string_view user_key;
      if (!ParseMetaKey(k, &old_ns, &user_key)) {
        ok = false;
        return;
      }
      key.clear();
      AppendMetaKey(&key, ns, user_key);
      out.Put(key, v, at);
    }
    void Delete(std::string_view) override { ok = false; }
  } h;
  h.ns = ns;
  Status s = batch_.Iterate(&h);
  if (s.ok() && !h.ok) s = Status::Corruption("unexpected SET batch entry");
  if (s.ok()) batch_ = std::move(h.out);
  return s;
}

bool SetBatch::Add(KeyspaceDb* db, std::string_view key,
                   std::string_view value) {
  if (key_ends_.empty()) {
    db_ = db->index();
    ns_ = db->keyspace()->table().Ns(db_);
  }
  db->AddPut(&batch_, key, value, 0, 0);
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
    Keyspace::KeyLock lock(ks, db_, views_);
    if (ks->table().Ns(db_) != ns_) {
      // A FLUSHDB or SWAPDB ran since the batch was encoded: write the same
      // SETs into the database's namespace of now.
      s = Reencode(ks->table().Ns(db_));
    }
    if (s.ok()) {
      touched_.clear();
      for (std::string_view k : views_) touched_.push_back({db_, k});
      s = ks->Write(&batch_, touched_);
    }
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
