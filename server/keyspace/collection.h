// Collection: one collection key (hash, set, sorted set, list, stream) as a
// command sees it through its Tx: its metadata (type, version, count,
// expiry: docs/format/server_keys.md §3) and its element entries (§4).
//
// Reading: Open reads the metadata and says whether the key holds a
// collection of the wanted type (found), nothing (absent) or something
// else (wrong type: the command answers WRONGTYPE). Element reads and
// iterators then read the same point of the write order as the metadata:
// a snapshot for a key the Tx has not locked (Tx::ReadSnapshot), the
// latest state (plus the Tx's pending writes) for one it has.
//
// Writing (REQUIRES: the Tx holds the key's stripe lock): element writes
// go into the Tx's batch; the first write to an absent key creates the
// collection with a fresh version (Keyspace::NextCas, never reused) and
// records the "new" event. The count is kept exact by Set/Remove (which
// read the element first) or by AddCount for a caller that knows. Finish
// writes the metadata in the same batch, or deletes the key if the count
// reached 0 (Redis keeps no empty collection). Deleting or overwriting a
// collection is a metadata write only (Tx::Delete, Tx::Put): its elements
// become garbage for the server's CompactionFilter.
//
// Thread safety: none (one command's).
#ifndef SHALE_SERVER_KEYSPACE_COLLECTION_H_
#define SHALE_SERVER_KEYSPACE_COLLECTION_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "server/keyspace/element_iterator.h"
#include "server/keyspace/key_codec.h"
#include "server/keyspace/tx.h"

namespace shale::server {

class Collection {
 public:
  enum class State { kAbsent, kFound, kWrongType };

  Collection(Tx* tx, KeyType type) : tx_(tx), type_(type) {}
  Collection(const Collection&) = delete;
  Collection& operator=(const Collection&) = delete;

  // Reads key's metadata in the Tx's database. Errors: Corruption (the
  // metadata does not decode) or the engine's.
  Status Open(std::string_view key);
  State state() const { return state_; }
  bool found() const { return state_ == State::kFound; }
  bool wrong_type() const { return state_ == State::kWrongType; }
  std::string_view key() const { return key_; }
  // Valid when found (or after a write created it).
  const ValueMeta& meta() const { return meta_; }
  uint64_t count() const { return meta_.count; }

  // --- elements (REQUIRES: found) -------------------------------------------
  // NotFound if the element is absent.
  Status Get(std::string_view sub, std::string* value);
  // The elements in sub-key order.
  std::unique_ptr<ElementIterator> NewIterator();
  // The engine key of element sub of this incarnation (valid until the next
  // call).
  std::string_view ElementKey(std::string_view sub);
  // The entries of another collection kind of this incarnation (a sorted
  // set's score index, kind 0x04), in sub-key order, and their engine keys
  // (valid until the next call). Their writes (PutEntry, DeleteEntry) are
  // blind: they change no count; the type's code keeps them in step with
  // its elements (keyspace/zset.h).
  std::unique_ptr<ElementIterator> NewIterator(KeyKind kind);
  std::string_view EntryKey(KeyKind kind, std::string_view sub);
  // Reads one entry of another kind (a stream's groups, kind 0x05);
  // NotFound if absent.
  Status GetEntry(KeyKind kind, std::string_view sub, std::string* value);

  // --- writes (REQUIRES: the key's lock; !wrong_type()) ----------------------
  // Writes sub -> value; *added: it was not there (the count grew).
  Status Set(std::string_view sub, std::string_view value, bool* added);
  // Deletes sub; *removed: it was there (the count shrank).
  Status Remove(std::string_view sub, bool* removed);
  // Blind writes for callers that know whether the element exists; the
  // count is theirs to keep (AddCount).
  void Put(std::string_view sub, std::string_view value);
  void Delete(std::string_view sub);
  // REQUIRES: found (a write of kind 0x03 created the collection).
  void PutEntry(KeyKind kind, std::string_view sub, std::string_view value);
  void DeleteEntry(KeyKind kind, std::string_view sub);
  void AddCount(int64_t delta) {
    meta_.count =
        static_cast<uint64_t>(static_cast<int64_t>(meta_.count) + delta);
    dirty_ = true;
  }
  // Sets one of a sorted set's bounds (ValueMeta::zset_low ...; format
  // doc §3): the low entry (ordered score, a prefix of its member), the
  // high one (ordered score, its member or none: the whole score).
  void SetZSetLow(uint64_t low, std::string_view member) {
    meta_.zset_low = low;
    meta_.zset_low_member.assign(member);
    dirty_ = true;
  }
  void SetZSetHigh(uint64_t high, std::optional<std::string_view> member) {
    meta_.zset_high = high;
    meta_.zset_high_has_member = member.has_value();
    meta_.zset_high_member.assign(member.value_or(std::string_view()));
    dirty_ = true;
  }
  // Sets a stream's typefields (ValueMeta::stream).
  void SetStream(const StreamState& st) {
    meta_.stream = st;
    dirty_ = true;
  }
  // Records that the collection left its compact encoding (ValueMeta::big;
  // never undone but by a new incarnation).
  void MarkBig() {
    if (meta_.big) return;
    meta_.big = true;
    dirty_ = true;
  }
  // Makes the key a fresh, empty collection of this type that replaces
  // whatever it held (a collection of any type, or a string; its expiry
  // goes): what Redis's setKey does to a *STORE command's destination. The
  // next write creates it with a new version, recording "new" only if the
  // key did not exist; elements of the old incarnation become garbage.
  // If nothing is written, Finish deletes the key (if it existed).
  // REQUIRES: the key's lock; Open was called.
  void Replace();
  // Creates the collection now if it is absent (as its first write would):
  // a list needs its head before it writes an element.
  void CreateIfAbsent() { Create(); }
  // Lists: moves the head (the index of the first element, §4.4).
  void SetListHead(uint64_t head) {
    meta_.list_head = head;
    dirty_ = true;
  }
  // Writes the metadata if anything changed; deletes the key instead if the
  // count is 0 (*deleted, if non-null, says so), except a stream's (Redis
  // keeps empty streams).
  Status Finish(bool* deleted = nullptr);

 private:
  // Creates the collection on its first write if it is absent.
  void Create();

  Tx* const tx_;
  const KeyType type_;
  State state_ = State::kAbsent;
  std::string key_;
  ValueMeta meta_;
  const Snapshot* snap_ = nullptr;
  std::string prefix_;  // kElement's prefix of this incarnation
  std::string ekey_;    // ElementKey's buffer
  std::string scratch_;
  bool dirty_ = false;
  bool replaced_ = false;  // Replace() of a key that existed: no "new"
};

// Copies the collection src_key of the Tx's database (meta: its metadata as
// read) to dst_key of database dst_db, as a new incarnation (a fresh
// version, the same count and expiry), recording "new" there: O(n) element
// writes in the Tx's batch. The caller deletes whatever dst_key held
// before, and the source if it moves it (RENAME, MOVE).
// REQUIRES: the Tx holds both keys' locks.
Status CopyCollection(Tx* tx, std::string_view src_key, const ValueMeta& meta,
                      int dst_db, std::string_view dst_key);

// Redis's error for a command on a key of another type.
inline constexpr const char* kErrWrongType =
    "WRONGTYPE Operation against a key holding the wrong kind of value";

}  // namespace shale::server

#endif  // SHALE_SERVER_KEYSPACE_COLLECTION_H_
