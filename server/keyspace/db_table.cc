#include "server/keyspace/db_table.h"

#include <vector>

#include "server/keyspace/key_codec.h"
#include "server/util/coding.h"

namespace shale::server {
namespace {

std::string EncodeTable(const std::vector<uint32_t>& ns, uint32_t next_ns) {
  std::string v;
  PutBE32(&v, next_ns);
  PutBE32(&v, static_cast<uint32_t>(ns.size()));
  for (uint32_t n : ns) PutBE32(&v, n);
  return v;
}

Status DecodeTable(std::string_view v, std::vector<uint32_t>* ns,
                   uint32_t* next_ns) {
  uint32_t count;
  if (!GetBE32(&v, next_ns) || !GetBE32(&v, &count) ||
      v.size() != uint64_t{count} * 4) {
    return Status::Corruption("malformed database table");
  }
  ns->resize(count);
  for (uint32_t i = 0; i < count; i++) {
    GetBE32(&v, &(*ns)[i]);
    if ((*ns)[i] >= *next_ns) {
      return Status::Corruption("database table maps to an unissued id");
    }
  }
  return Status::OK();
}

}  // namespace

Status DbTable::Load(DB* db, int databases, const WriteOptions& wo) {
  db_ = db;
  wo_ = wo;
  databases_ = databases;
  std::string v;
  Status s = db->Get(ReadOptions(), ServerMetaKey(kFormatName), &v);
  if (s.ok()) {
    std::string_view in = v;
    uint32_t format;
    if (!GetBE32(&in, &format) || !in.empty()) {
      return Status::Corruption("malformed format entry");
    }
    if (format != kFormatVersion) {
      return Status::NotSupported(
          "data format version " + std::to_string(format) +
          " (this server: " + std::to_string(kFormatVersion) + ")");
    }
  } else if (s.IsNotFound()) {
    std::string f;
    PutBE32(&f, kFormatVersion);
    s = db->Put(wo, ServerMetaKey(kFormatName), f);
    if (!s.ok()) return s;
  } else {
    return s;
  }
  std::vector<uint32_t> ns;
  uint32_t next_ns = 0;
  s = db->Get(ReadOptions(), ServerMetaKey(kDatabasesName), &v);
  if (s.ok()) {
    s = DecodeTable(v, &ns, &next_ns);
  } else if (s.IsNotFound()) {
    s = Status::OK();
  }
  if (!s.ok()) return s;
  bool grow = ns.size() < static_cast<size_t>(databases);
  while (ns.size() < static_cast<size_t>(databases)) ns.push_back(next_ns++);
  if (grow) {
    s = db->Put(wo, ServerMetaKey(kDatabasesName), EncodeTable(ns, next_ns));
    if (!s.ok()) return s;
  }
  size_ = ns.size();
  ns_ = std::make_unique<std::atomic<uint32_t>[]>(size_);
  for (size_t i = 0; i < size_; i++) ns_[i].store(ns[i]);
  next_ns_ = next_ns;
  SetLiveView(std::move(ns));
  return Status::OK();
}

bool DbTable::MayBeLive(uint32_t ns) const {
  MutexLock l(&view_mu_);
  if (!loaded_) return true;
  for (uint32_t n : live_) {
    if (n == ns) return true;
  }
  return false;
}

void DbTable::SetLiveView(std::vector<uint32_t> live) {
  MutexLock l(&view_mu_);
  live_ = std::move(live);
  loaded_ = true;
}

int DbTable::DbOf(uint32_t ns) const {
  for (size_t i = 0; i < size_; i++) {
    if (ns_[i].load(std::memory_order_acquire) == ns) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

Status DbTable::Store(const std::vector<uint32_t>& ns, uint32_t next_ns) {
  std::vector<uint32_t> old(size_);
  for (size_t i = 0; i < size_; i++) old[i] = ns_[i].load();
  // Old and new are both live while the write is in flight: a key of a
  // fresh namespace is kept from before the write commits, a key of a
  // retired one until it has.
  std::vector<uint32_t> both = old;
  both.insert(both.end(), ns.begin(), ns.end());
  SetLiveView(std::move(both));
  WriteOptions wo = wo_;
  wo.sync = true;
  Status s =
      db_->Put(wo, ServerMetaKey(kDatabasesName), EncodeTable(ns, next_ns));
  if (!s.ok()) {
    SetLiveView(std::move(old));
    return s;
  }
  for (size_t i = 0; i < size_; i++) {
    ns_[i].store(ns[i], std::memory_order_release);
  }
  next_ns_ = next_ns;
  SetLiveView(ns);
  return s;
}

Status DbTable::Renew(std::span<const int> dbs) {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<uint32_t> ns(size_);
  for (size_t i = 0; i < size_; i++) ns[i] = ns_[i].load();
  uint32_t next = next_ns_;
  for (int d : dbs) {
    if (next == UINT32_MAX) {
      return Status::NotSupported("namespace ids exhausted");
    }
    ns[static_cast<size_t>(d)] = next++;
  }
  return Store(ns, next);
}

Status DbTable::Swap(int a, int b) {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<uint32_t> ns(size_);
  for (size_t i = 0; i < size_; i++) ns[i] = ns_[i].load();
  std::swap(ns[static_cast<size_t>(a)], ns[static_cast<size_t>(b)]);
  return Store(ns, next_ns_);
}

}  // namespace shale::server
