#include "server/keyspace/element_writes.h"

#include <algorithm>

namespace shale::server {
namespace {

// Past this many writes, Find uses a hash index instead of a scan.
constexpr size_t kIndexFrom = 32;

}  // namespace

void ElementWrites::Clear() {
  n_ = 0;
  index_.clear();
  if (writes_.size() > 4096) writes_.resize(4096);
}

void ElementWrites::Add(std::string_view ekey, std::string_view value,
                        bool deleted) {
  if (n_ == writes_.size()) writes_.emplace_back();
  Write& w = writes_[n_++];
  w.ekey.assign(ekey);
  w.value.assign(value);
  w.deleted = deleted;
  if (n_ > kIndexFrom) {
    if (index_.empty()) {
      for (size_t i = 0; i < n_; i++) index_[writes_[i].ekey] = i;
    } else {
      index_[w.ekey] = n_ - 1;
    }
  }
}

const ElementWrites::Write* ElementWrites::Find(std::string_view ekey) {
  if (n_ > kIndexFrom) {
    auto it = index_.find(std::string(ekey));
    return it == index_.end() ? nullptr : &writes_[it->second];
  }
  for (size_t i = n_; i-- > 0;) {
    if (writes_[i].ekey == ekey) return &writes_[i];
  }
  return nullptr;
}

void ElementWrites::Range(std::string_view begin, std::string_view end,
                          std::vector<const Write*>* out) const {
  out->clear();
  // Newest first, so that the stable sort keeps the newest of equal keys
  // in front, where unique keeps it.
  for (size_t i = n_; i-- > 0;) {
    const Write& w = writes_[i];
    if (w.ekey >= begin && w.ekey < end) out->push_back(&w);
  }
  std::stable_sort(
      out->begin(), out->end(),
      [](const Write* a, const Write* b) { return a->ekey < b->ekey; });
  out->erase(std::unique(out->begin(), out->end(),
                         [](const Write* a, const Write* b) {
                           return a->ekey == b->ekey;
                         }),
             out->end());
}

}  // namespace shale::server
