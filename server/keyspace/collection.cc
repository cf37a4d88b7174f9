#include "server/keyspace/collection.h"

namespace shale::server {

Status Collection::Open(std::string_view key) {
  key_.assign(key);
  dirty_ = false;
  replaced_ = false;
  snap_ = tx_->ReadSnapshot(key);
  thread_local Entry e;
  Status s = tx_->Get(key, &e, snap_);
  e.Trim();
  meta_ = ValueMeta();
  prefix_.clear();
  // Version 0 is never handed out (versions start at the wall clock in
  // microseconds): an absent key's iterator and reads find nothing.
  AppendCollectionPrefix(&prefix_, KeyKind::kElement,
                         tx_->keyspace()->table().Ns(tx_->db()), key_, 0);
  if (s.IsNotFound()) {
    state_ = State::kAbsent;
    return Status::OK();
  }
  if (!s.ok()) return s;
  if (e.meta().type != type_) {
    state_ = State::kWrongType;
    return Status::OK();
  }
  state_ = State::kFound;
  meta_ = e.meta();
  prefix_.clear();
  AppendCollectionPrefix(&prefix_, KeyKind::kElement,
                         tx_->keyspace()->table().Ns(tx_->db()), key_,
                         meta_.version);
  return Status::OK();
}

std::string_view Collection::ElementKey(std::string_view sub) {
  ekey_.assign(prefix_);
  ekey_.append(sub);
  return ekey_;
}

std::string_view Collection::EntryKey(KeyKind kind, std::string_view sub) {
  ekey_.assign(prefix_);
  ekey_[0] = static_cast<char>(kind);
  ekey_.append(sub);
  return ekey_;
}

std::unique_ptr<ElementIterator> Collection::NewIterator(KeyKind kind) {
  std::string prefix = prefix_;
  prefix[0] = static_cast<char>(kind);
  return tx_->NewElementIterator(std::move(prefix), snap_);
}

void Collection::PutEntry(KeyKind kind, std::string_view sub,
                          std::string_view value) {
  tx_->PutElement(EntryKey(kind, sub), value);
  dirty_ = true;
}

void Collection::DeleteEntry(KeyKind kind, std::string_view sub) {
  tx_->DeleteElement(EntryKey(kind, sub));
  dirty_ = true;
}

Status Collection::GetEntry(KeyKind kind, std::string_view sub,
                            std::string* value) {
  if (state_ != State::kFound) return Status::NotFound("no collection");
  return tx_->GetElement(EntryKey(kind, sub), snap_, value);
}

Status Collection::Get(std::string_view sub, std::string* value) {
  if (state_ != State::kFound) return Status::NotFound("no collection");
  return tx_->GetElement(ElementKey(sub), snap_, value);
}

std::unique_ptr<ElementIterator> Collection::NewIterator() {
  return tx_->NewElementIterator(prefix_, snap_);
}

void Collection::Create() {
  if (state_ == State::kFound) return;
  state_ = State::kFound;
  meta_ = ValueMeta();
  meta_.type = type_;
  meta_.version = tx_->keyspace()->NextCas();
  if (type_ == KeyType::kList) meta_.list_head = uint64_t{1} << 63;
  prefix_.clear();
  AppendCollectionPrefix(&prefix_, KeyKind::kElement,
                         tx_->keyspace()->table().Ns(tx_->db()), key_,
                         meta_.version);
  dirty_ = true;
  if (!replaced_) tx_->Notify(kNotifyNew, "new", key_);
}

void Collection::Replace() {
  replaced_ = state_ != State::kAbsent;
  state_ = State::kAbsent;
  meta_ = ValueMeta();
  // Finish deletes what the key held unless a write creates the new one.
  dirty_ = replaced_;
}

Status Collection::Set(std::string_view sub, std::string_view value,
                       bool* added) {
  Create();
  Status s = tx_->GetElement(ElementKey(sub), snap_, &scratch_);
  if (!s.ok() && !s.IsNotFound()) return s;
  *added = s.IsNotFound();
  tx_->PutElement(ElementKey(sub), value);
  if (*added) meta_.count++;
  dirty_ = true;
  return Status::OK();
}

Status Collection::Remove(std::string_view sub, bool* removed) {
  *removed = false;
  if (state_ != State::kFound) return Status::OK();
  Status s = tx_->GetElement(ElementKey(sub), snap_, &scratch_);
  if (s.IsNotFound()) return Status::OK();
  if (!s.ok()) return s;
  tx_->DeleteElement(ElementKey(sub));
  meta_.count--;
  *removed = true;
  dirty_ = true;
  return Status::OK();
}

void Collection::Put(std::string_view sub, std::string_view value) {
  Create();
  tx_->PutElement(ElementKey(sub), value);
  dirty_ = true;
}

void Collection::Delete(std::string_view sub) {
  tx_->DeleteElement(ElementKey(sub));
  dirty_ = true;
}

Status Collection::Finish(bool* deleted) {
  if (deleted != nullptr) *deleted = false;
  if (!dirty_) return Status::OK();
  dirty_ = false;
  if (meta_.count == 0 && type_ != KeyType::kStream) {
    state_ = State::kAbsent;
    if (deleted != nullptr) *deleted = true;
    return tx_->Delete(key_);
  }
  tx_->PutCollectionMeta(key_, meta_);
  return Status::OK();
}

Status CopyCollection(Tx* tx, std::string_view src_key, const ValueMeta& meta,
                      int dst_db, std::string_view dst_key) {
  Keyspace* ks = tx->keyspace();
  const uint32_t src_ns = ks->table().Ns(tx->db());
  const uint32_t dst_ns = ks->table().Ns(dst_db);
  ValueMeta copy = meta;
  copy.version = ks->NextCas();
  std::string src_prefix, dst_key_buf;
  // Every collection kind the type may use (0x03 elements, 0x04 a sorted
  // set's score index, 0x05 a stream's auxiliary entries).
  for (uint8_t k = static_cast<uint8_t>(KeyKind::kElement);
       k <= static_cast<uint8_t>(KeyKind::kStreamAux); k++) {
    const KeyKind kind = static_cast<KeyKind>(k);
    src_prefix.clear();
    AppendCollectionPrefix(&src_prefix, kind, src_ns, src_key, meta.version);
    auto it = tx->NewElementIterator(src_prefix, tx->ReadSnapshot(src_key));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      dst_key_buf.clear();
      AppendCollectionPrefix(&dst_key_buf, kind, dst_ns, dst_key, copy.version);
      dst_key_buf.append(it->sub());
      tx->PutElement(dst_key_buf, it->value());
    }
    if (!it->status().ok()) return it->status();
  }
  const int saved = tx->db();
  tx->set_db(dst_db);
  tx->PutCollectionMeta(dst_key, copy);
  tx->set_db(saved);
  tx->NotifyDb(dst_db, kNotifyNew, "new", dst_key);
  // A stream coming into being serves XREAD's waiters (Tx::MarkReady).
  if (meta.type == KeyType::kStream) tx->MarkReady(dst_db, dst_key);
  return Status::OK();
}

}  // namespace shale::server
