// SkipList: the memtable's ordered index.
//
// Thread safety:
//   Writes (Insert, InsertMany) need external synchronization: one writer at
//   a time (the DB's write-group leader). Reads need none: any number of
//   readers may run concurrently with the writer and with each other,
//   lock-free.
//
// Invariants:
//   1. Nodes are never deleted until the SkipList is destroyed; the arena
//      frees them all at once. A reader's node pointers never dangle.
//   2. A node's contents, except its next pointers, are immutable once it is
//      linked. Insert publishes a node with release stores after filling it;
//      readers follow pointers with acquire loads, so they see it complete.
//   3. Inserting links level 0 first, then upwards: a node visible at level
//      i is visible at every level below i.
//
// Keys are opaque `const char*` ordered by Comparator (a callable with
// int operator()(const char*, const char*)). Duplicate keys are not allowed.
//
// Keys that point at bytes the list should own (the memtable's entries) can
// be allocated together with their node (AllocateKey, then Insert of the
// Reservation): the key's bytes follow the node's pointers, so a search
// touches one place in memory per node instead of two.
#ifndef SHALE_DB_SKIPLIST_H_
#define SHALE_DB_SKIPLIST_H_

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cstdint>
#include <type_traits>

#include "util/arena.h"
#include "util/random.h"

namespace shale {

template <typename Key, class Comparator>
class SkipList {
 private:
  struct Node;

 public:
  // Nodes are allocated from *arena, which must outlive the list.
  SkipList(Comparator cmp, Arena* arena);
  SkipList(const SkipList&) = delete;
  SkipList& operator=(const SkipList&) = delete;

  // REQUIRES: no key equal to key is in the list; external synchronization.
  void Insert(const Key& key);

  // A node allocated by AllocateKey, not yet linked.
  class Reservation {
   private:
    friend class SkipList;
    Node* node = nullptr;
    int height = 0;
  };
  // Allocates a node of random height followed by `bytes` bytes for the
  // key's contents and returns them; the node's key is their address. Fill
  // them, then link the node with Insert(reservation). Key must be
  // const char*. REQUIRES: external synchronization (the writer).
  char* AllocateKey(size_t bytes, Reservation* r);
  // Links a node from AllocateKey. REQUIRES: as Insert(key).
  void Insert(const Reservation& r);
  // Links n nodes from AllocateKey, as n calls of Insert(r) would, but with
  // their searches interleaved: each search step that misses the CPU caches
  // (most of them, in a big list) overlaps with those of the others instead
  // of stalling alone. Sorts rs by key. REQUIRES: as Insert(key), for every
  // key, and no two keys of rs equal.
  void InsertMany(Reservation* rs, size_t n);

  bool Contains(const Key& key) const;

  // A cursor over the list; valid while the list lives.
  class Iterator {
   public:
    explicit Iterator(const SkipList* list) : list_(list), node_(nullptr) {}
    bool Valid() const { return node_ != nullptr; }
    // REQUIRES: Valid().
    const Key& key() const { return node_->key; }
    void Next() { node_ = node_->Next(0); }
    // O(log n): searches for the last node before the current one.
    void Prev() {
      node_ = list_->FindLessThan(node_->key);
      if (node_ == list_->head_) node_ = nullptr;
    }
    void Seek(const Key& target) {
      node_ = list_->FindGreaterOrEqual(target, nullptr);
    }
    void SeekToFirst() { node_ = list_->head_->Next(0); }
    void SeekToLast() {
      node_ = list_->FindLast();
      if (node_ == list_->head_) node_ = nullptr;
    }

   private:
    const SkipList* list_;
    Node* node_;
  };

 private:
  static constexpr int kMaxHeight = 12;
  static constexpr unsigned kBranching = 4;
  // Searches InsertMany runs side by side: enough to overlap the misses of
  // one step of each (a few hundred cycles) with the others' work.
  static constexpr size_t kInterleave = 16;

  int GetMaxHeight() const {
    return max_height_.load(std::memory_order_relaxed);
  }
  Node* NewNode(const Key& key, int height);
  static size_t NodeSize(int height) {
    return sizeof(Node) + sizeof(std::atomic<Node*>) * (height - 1);
  }
  void LinkNode(Node* x, int height);
  // InsertMany for at most kInterleave sorted reservations.
  void InsertSorted(const Reservation* rs, size_t n);
  int RandomHeight();
  bool Equal(const Key& a, const Key& b) const { return compare_(a, b) == 0; }
  bool KeyIsAfterNode(const Key& key, Node* n) const {
    return n != nullptr && compare_(n->key, key) < 0;
  }
  // The first node >= key; fills prev[level] with the last node < key at each
  // level when prev is non-null.
  Node* FindGreaterOrEqual(const Key& key, Node** prev) const;
  Node* FindLessThan(const Key& key) const;  // head_ if none
  Node* FindLast() const;                    // head_ if empty

  // Constant after construction.
  Comparator const compare_;
  Arena* const arena_;
  Node* const head_;

  // Read racily by readers (a stale value only makes them start lower, which
  // is still correct); written only by the writer.
  std::atomic<int> max_height_;

  // Used only by the writer.
  Random rnd_;
};

template <typename Key, class Comparator>
struct SkipList<Key, Comparator>::Node {
  explicit Node(const Key& k) : key(k) {}
  Key const key;

  Node* Next(int n) { return next_[n].load(std::memory_order_acquire); }
  void SetNext(int n, Node* x) { next_[n].store(x, std::memory_order_release); }
  Node* NoBarrierNext(int n) {
    return next_[n].load(std::memory_order_relaxed);
  }
  void NoBarrierSetNext(int n, Node* x) {
    next_[n].store(x, std::memory_order_relaxed);
  }

 private:
  // Sized at allocation to the node's height; next_[0] is level 0.
  std::atomic<Node*> next_[1];
};

template <typename Key, class Comparator>
typename SkipList<Key, Comparator>::Node* SkipList<Key, Comparator>::NewNode(
    const Key& key, int height) {
  char* mem = arena_->AllocateAligned(NodeSize(height));
  return new (mem) Node(key);
}

template <typename Key, class Comparator>
char* SkipList<Key, Comparator>::AllocateKey(size_t bytes, Reservation* r) {
  static_assert(std::is_same_v<Key, const char*>,
                "AllocateKey stores the key's bytes behind the node");
  int height = RandomHeight();
  char* mem = arena_->AllocateAligned(NodeSize(height) + bytes);
  char* key_bytes = mem + NodeSize(height);
  r->node = new (mem) Node(key_bytes);
  r->height = height;
  return key_bytes;
}

template <typename Key, class Comparator>
int SkipList<Key, Comparator>::RandomHeight() {
  int height = 1;
  while (height < kMaxHeight && rnd_.OneIn(kBranching)) height++;
  return height;
}

template <typename Key, class Comparator>
typename SkipList<Key, Comparator>::Node*
SkipList<Key, Comparator>::FindGreaterOrEqual(const Key& key,
                                              Node** prev) const {
  Node* x = head_;
  int level = GetMaxHeight() - 1;
  Node* last_bigger = nullptr;  // avoids re-comparing the same node
  while (true) {
    Node* next = x->Next(level);
    if (next != nullptr && next != last_bigger) {
      // The node after next is where a step right goes; start fetching it
      // while next's key is compared.
      __builtin_prefetch(next->NoBarrierNext(level));
    }
    if (next != last_bigger && KeyIsAfterNode(key, next)) {
      x = next;
    } else {
      if (prev != nullptr) prev[level] = x;
      if (level == 0) return next;
      last_bigger = next;
      level--;
    }
  }
}

template <typename Key, class Comparator>
typename SkipList<Key, Comparator>::Node*
SkipList<Key, Comparator>::FindLessThan(const Key& key) const {
  Node* x = head_;
  int level = GetMaxHeight() - 1;
  while (true) {
    Node* next = x->Next(level);
    if (next == nullptr || compare_(next->key, key) >= 0) {
      if (level == 0) return x;
      level--;
    } else {
      x = next;
    }
  }
}

template <typename Key, class Comparator>
typename SkipList<Key, Comparator>::Node* SkipList<Key, Comparator>::FindLast()
    const {
  Node* x = head_;
  int level = GetMaxHeight() - 1;
  while (true) {
    Node* next = x->Next(level);
    if (next == nullptr) {
      if (level == 0) return x;
      level--;
    } else {
      x = next;
    }
  }
}

template <typename Key, class Comparator>
SkipList<Key, Comparator>::SkipList(Comparator cmp, Arena* arena)
    : compare_(cmp),
      arena_(arena),
      head_(NewNode(Key(), kMaxHeight)),
      max_height_(1),
      rnd_(0xdeadbeef) {
  for (int i = 0; i < kMaxHeight; i++) head_->SetNext(i, nullptr);
}

template <typename Key, class Comparator>
void SkipList<Key, Comparator>::Insert(const Key& key) {
  int height = RandomHeight();
  LinkNode(NewNode(key, height), height);
}

template <typename Key, class Comparator>
void SkipList<Key, Comparator>::Insert(const Reservation& r) {
  LinkNode(r.node, r.height);
}

template <typename Key, class Comparator>
void SkipList<Key, Comparator>::LinkNode(Node* x, int height) {
  Node* prev[kMaxHeight];
  Node* next = FindGreaterOrEqual(x->key, prev);
  assert(next == nullptr || !Equal(x->key, next->key));
  (void)next;

  if (height > GetMaxHeight()) {
    for (int i = GetMaxHeight(); i < height; i++) prev[i] = head_;
    // A reader that sees the new height before the node is linked finds
    // head_'s null pointers at the new levels and drops down: harmless.
    max_height_.store(height, std::memory_order_relaxed);
  }
  for (int i = 0; i < height; i++) {
    // The node's own pointer needs no barrier: the release store that links
    // it into prev[i] publishes it.
    x->NoBarrierSetNext(i, prev[i]->NoBarrierNext(i));
    prev[i]->SetNext(i, x);
  }
}

template <typename Key, class Comparator>
void SkipList<Key, Comparator>::InsertMany(Reservation* rs, size_t n) {
  std::sort(rs, rs + n, [this](const Reservation& a, const Reservation& b) {
    return compare_(a.node->key, b.node->key) < 0;
  });
  for (size_t i = 0; i < n; i += kInterleave) {
    InsertSorted(rs + i, std::min(kInterleave, n - i));
  }
}

template <typename Key, class Comparator>
void SkipList<Key, Comparator>::InsertSorted(const Reservation* rs, size_t n) {
  assert(n <= kInterleave);
  // 1. Search for every key at once, one step of each in turn, prefetching
  //    the node each search compares next. The list does not change meanwhile
  //    (this is its only writer).
  const int top = GetMaxHeight();
  Node* prev[kInterleave][kMaxHeight];
  Node* x[kInterleave];
  int level[kInterleave];
  for (size_t i = 0; i < n; i++) {
    x[i] = head_;
    level[i] = top - 1;
  }
  for (size_t active = n; active > 0;) {
    for (size_t i = 0; i < n; i++) {
      if (level[i] < 0) continue;
      Node* next = x[i]->NoBarrierNext(level[i]);
      if (next != nullptr && compare_(next->key, rs[i].node->key) < 0) {
        x[i] = next;
      } else {
        prev[i][level[i]] = x[i];
        if (--level[i] < 0) {
          active--;
          continue;
        }
      }
      if (Node* ahead = x[i]->NoBarrierNext(level[i])) {
        __builtin_prefetch(ahead);
      }
    }
  }
  // 2. Link in key order, each level from the bottom up as LinkNode does.
  //    A node linked earlier in this loop may now stand between prev[i][l]
  //    and the key (it is smaller): step over such nodes.
  for (size_t i = 0; i < n; i++) {
    Node* node = rs[i].node;
    const int height = rs[i].height;
    if (height > GetMaxHeight()) {
      max_height_.store(height, std::memory_order_relaxed);
    }
    for (int l = 0; l < height; l++) {
      Node* p = l < top ? prev[i][l] : head_;
      while (true) {
        Node* after = p->NoBarrierNext(l);
        if (after == nullptr || compare_(after->key, node->key) >= 0) break;
        p = after;
      }
      assert(p->NoBarrierNext(l) == nullptr ||
             !Equal(node->key, p->NoBarrierNext(l)->key));
      node->NoBarrierSetNext(l, p->NoBarrierNext(l));
      p->SetNext(l, node);
    }
  }
}

template <typename Key, class Comparator>
bool SkipList<Key, Comparator>::Contains(const Key& key) const {
  Node* x = FindGreaterOrEqual(key, nullptr);
  return x != nullptr && Equal(key, x->key);
}

}  // namespace shale

#endif  // SHALE_DB_SKIPLIST_H_
