// ElementWrites: the pending writes of collection elements (kinds
// 0x03-0x0F, docs/format/server_keys.md §4) in one Tx, so that a command
// (or an EXEC) reads the elements it has written but not yet committed:
// point lookups by engine key, and the sorted newest write of each key in
// a range, which ElementIterator lays over the engine's entries.
//
// Reused across commands: Clear keeps the buffers, so a command costs no
// allocation once they have grown.
//
// Thread safety: none (owned by one Tx).
#ifndef SHALE_SERVER_KEYSPACE_ELEMENT_WRITES_H_
#define SHALE_SERVER_KEYSPACE_ELEMENT_WRITES_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace shale::server {

class ElementWrites {
 public:
  struct Write {
    std::string ekey;   // the element's engine key
    std::string value;  // empty when deleted
    bool deleted = false;
  };

  void Clear();
  bool empty() const { return n_ == 0; }
  size_t size() const { return n_; }

  // Records a write (the newest write of ekey wins).
  void Add(std::string_view ekey, std::string_view value, bool deleted);
  // The newest write of ekey, or nullptr.
  const Write* Find(std::string_view ekey);
  // The newest write of each engine key in [begin, end), sorted by key.
  void Range(std::string_view begin, std::string_view end,
             std::vector<const Write*>* out) const;

 private:
  // writes_[0, n_) in write order; the rest are spare buffers.
  std::vector<Write> writes_;
  size_t n_ = 0;
  // ekey -> newest index in writes_, built once there are many (EXEC).
  std::unordered_map<std::string, size_t> index_;
};

}  // namespace shale::server

#endif  // SHALE_SERVER_KEYSPACE_ELEMENT_WRITES_H_
