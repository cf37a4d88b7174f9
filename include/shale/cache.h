// Cache: a byte-bounded cache, used by shale for table blocks.
//
// Entries are reference-counted: Lookup and Insert return a Handle that pins
// the entry until Release, so an evicted or erased entry stays valid while
// in use. Whenever the charges of the entries held exceed the capacity,
// unpinned entries are evicted, those not looked up recently first (see
// NewClockCache for the exact policy); pinned entries are never evicted, so
// the usage exceeds the capacity only while pinned entries alone fill it. One
// cache may be shared by several DBs (Options::block_cache) to bound their
// memory together.
//
// Thread safety: every method may be called concurrently. Deleters run
// outside the cache's locks, on the thread that drops the last reference.
#ifndef SHALE_INCLUDE_CACHE_H_
#define SHALE_INCLUDE_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace shale {

class Cache {
 public:
  // An opaque pinned entry.
  struct Handle {};

  // Called once when an entry has left the cache (evicted, erased or
  // replaced) and is no longer pinned; nullptr: nothing to do.
  using Deleter = void (*)(std::string_view key, void* value);

  Cache() = default;
  Cache(const Cache&) = delete;
  Cache& operator=(const Cache&) = delete;
  virtual ~Cache() = default;

  // Inserts key -> value, charging `charge` bytes against the capacity, and
  // returns it pinned. Replaces (and unpins from the cache's side) an entry
  // with the same key. An entry whose charge exceeds the capacity of its
  // shard is returned pinned but not kept: no Lookup finds it, and it is
  // deleted at its last Release.
  virtual Handle* Insert(std::string_view key, void* value, size_t charge,
                         Deleter deleter) = 0;
  // The entry, pinned, or nullptr. Allocates nothing.
  virtual Handle* Lookup(std::string_view key) = 0;
  // A hint that Lookup(key) is coming: starts loading what it reads first,
  // so that the cache misses of several lookups overlap. Pins nothing and
  // may do nothing (the default).
  virtual void Prefetch(std::string_view key) { (void)key; }
  // Unpins. REQUIRES: handle came from this cache and is released once.
  virtual void Release(Handle* handle) = 0;
  // The value of a pinned entry. REQUIRES: handle not yet released.
  virtual void* Value(Handle* handle) = 0;
  // Removes key; a pinned entry lives on until released.
  virtual void Erase(std::string_view key) = 0;

  // A number unique within this cache, to prefix the keys of one user (one
  // open table file) so that users sharing the cache never collide.
  virtual uint64_t NewId() = 0;

  virtual size_t GetCapacity() const = 0;
  // Bytes charged by the entries currently held (pinned or not).
  virtual size_t GetUsage() const = 0;
  // Lookups that found / did not find their key, since creation.
  virtual uint64_t hits() const = 0;
  virtual uint64_t misses() const = 0;
};

// A cache of `capacity` bytes evicting by CLOCK (second chance), split into
// 2^shard_bits independently locked shards (-1: chosen from the capacity, at
// most 64 shards, each at least 512 KiB; explicit values are capped at 16).
// Keys go to shards by hash, and each shard holds at most
// capacity / 2^shard_bits bytes (rounded up), so one entry can be as large
// as that. The cache must outlive every handle and every user (e.g. each
// table) of it.
//
// The policy: a Lookup that finds an entry marks it referenced; a new entry
// starts unmarked. To make room, a clock hand walks each shard's entries in
// table (hash) order, passing over pinned entries, unmarking marked ones and
// evicting the first unmarked one. So an entry looked up since the hand last
// passed it is evicted only after the entries not looked up since then that
// the hand meets first, and a scan of one-time entries does not push out a
// working set looked up between its insertions. Unlike LRU, the order among
// entries not looked up is not their age. A hit moves nothing and takes the
// shard's lock only in shared mode.
std::shared_ptr<Cache> NewClockCache(size_t capacity, int shard_bits = -1);

}  // namespace shale

#endif  // SHALE_INCLUDE_CACHE_H_
