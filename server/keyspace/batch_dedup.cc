#include "server/keyspace/batch_dedup.h"

#include <bit>

// Header-only, as the engine uses it (no link against libxxhash).
#define XXH_INLINE_ALL
#include <xxhash.h>

namespace shale::server {

class BatchDedup::Collector final : public WriteBatch::Handler {
 public:
  explicit Collector(std::vector<Record>* out) : out_(out) {}
  void Put(std::string_view key, std::string_view value,
           uint64_t expire_at_ms) override {
    out_->push_back({key, value, expire_at_ms, false, false});
  }
  void Delete(std::string_view key) override {
    out_->push_back({key, {}, 0, true, false});
  }

 private:
  std::vector<Record>* const out_;
};

bool BatchDedup::Compact(const WriteBatch& batch, WriteBatch* out) {
  if (batch.Count() < 2) return false;
  records_.clear();
  Collector collector(&records_);
  // A batch the Tx built itself always parses; should it not, it is
  // written as it is and the engine reports the error.
  if (!batch.Iterate(&collector).ok()) return false;
  const size_t n = records_.size();
  slots_.assign(std::bit_ceil(2 * n), 0);
  const size_t mask = slots_.size() - 1;
  bool any = false;
  for (size_t i = 0; i < n; i++) {
    const std::string_view key = records_[i].key;
    size_t s = XXH3_64bits(key.data(), key.size()) & mask;
    for (;; s = (s + 1) & mask) {
      if (slots_[s] == 0) break;
      Record& earlier = records_[slots_[s] - 1];
      if (earlier.key == key) {
        earlier.replaced = true;
        any = true;
        break;
      }
    }
    slots_[s] = static_cast<uint32_t>(i + 1);
  }
  if (!any) return false;
  out->Clear();
  for (const Record& r : records_) {
    if (r.replaced) continue;
    if (r.deleted) {
      out->Delete(r.key);
    } else {
      out->Put(r.key, r.value, r.expire_at_ms);
    }
  }
  return true;
}

}  // namespace shale::server
