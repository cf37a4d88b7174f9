#include "server/keyspace/list.h"

#include "server/util/coding.h"

namespace shale::server {

std::string List::IndexSub(uint64_t idx) {
  std::string s;
  PutBE64(&s, idx);
  return s;
}

void List::PutIndex(uint64_t idx, std::string_view value) {
  PutBE64((sub_.clear(), &sub_), idx);
  c_->Put(sub_, value);
}

void List::DeleteIndex(uint64_t idx) {
  PutBE64((sub_.clear(), &sub_), idx);
  c_->Delete(sub_);
}

Status List::GetIndex(uint64_t idx, std::string* value) {
  PutBE64((sub_.clear(), &sub_), idx);
  Status s = c_->Get(sub_, value);
  if (s.IsNotFound()) {
    return Status::Corruption("list element missing inside the list");
  }
  return s;
}

Status List::Get(uint64_t i, std::string* value) {
  return GetIndex(head() + i, value);
}

void List::Set(uint64_t i, std::string_view value) {
  PutIndex(head() + i, value);
}

void List::PushFront(std::string_view value) {
  c_->CreateIfAbsent();
  const uint64_t h = head() - 1;
  PutIndex(h, value);
  c_->SetListHead(h);
  c_->AddCount(1);
}

void List::PushBack(std::string_view value) {
  c_->CreateIfAbsent();
  PutIndex(head() + c_->count(), value);
  c_->AddCount(1);
}

Status List::PopFront(std::string* value) {
  Status s = GetIndex(head(), value);
  if (!s.ok()) return s;
  DeleteIndex(head());
  c_->SetListHead(head() + 1);
  c_->AddCount(-1);
  return Status::OK();
}

Status List::PopBack(std::string* value) {
  const uint64_t last = head() + c_->count() - 1;
  Status s = GetIndex(last, value);
  if (!s.ok()) return s;
  DeleteIndex(last);
  c_->AddCount(-1);
  return Status::OK();
}

std::unique_ptr<ElementIterator> List::IterateFrom(uint64_t i) {
  auto it = c_->NewIterator();
  it->Seek(IndexSub(head() + i));
  return it;
}

Status List::Insert(uint64_t i, std::string_view value) {
  c_->CreateIfAbsent();  // the head must be known before it is used
  const uint64_t n = size();
  std::string v;
  if (i < n - i) {
    // Elements 0 .. i-1 move one down; the new one takes index head + i - 1.
    const uint64_t h = head();
    for (uint64_t k = 0; k < i; k++) {
      Status s = GetIndex(h + k, &v);
      if (!s.ok()) return s;
      PutIndex(h + k - 1, v);
    }
    PutIndex(h + i - 1, value);
    c_->SetListHead(h - 1);
  } else {
    // Elements i .. n-1 move one up, from the back.
    const uint64_t h = head();
    for (uint64_t k = n; k > i; k--) {
      Status s = GetIndex(h + k - 1, &v);
      if (!s.ok()) return s;
      PutIndex(h + k, v);
    }
    PutIndex(h + i, value);
  }
  c_->AddCount(1);
  return Status::OK();
}

Status List::RemoveMatching(std::string_view value, uint64_t limit,
                            bool from_front, uint64_t* removed) {
  *removed = 0;
  const uint64_t n = size();
  if (n == 0) return Status::OK();
  const uint64_t h = head();
  std::string v;
  if (from_front) {
    // Read index r, write the survivors packed from index w; the last
    // `removed` indices go at the end. The iterator reads the state before
    // this command's writes (the batch is laid over it only at creation).
    auto it = c_->NewIterator();
    it->Seek(IndexSub(h));
    uint64_t w = h;
    for (uint64_t r = h; r < h + n; r++, it->Next()) {
      if (!it->Valid()) {
        return it->status().ok()
                   ? Status::Corruption("list shorter than its count")
                   : it->status();
      }
      const bool drop =
          it->value() == value && (limit == 0 || *removed < limit);
      if (drop) {
        (*removed)++;
        continue;
      }
      if (r != w) PutIndex(w, it->value());
      w++;
    }
    for (uint64_t k = w; k < h + n; k++) DeleteIndex(k);
  } else {
    // From the back, point by point: survivors packed toward the back.
    uint64_t w = h + n;  // one past the next slot to fill
    for (uint64_t r = h + n; r > h; r--) {
      Status s = GetIndex(r - 1, &v);
      if (!s.ok()) return s;
      const bool drop = v == value && (limit == 0 || *removed < limit);
      if (drop) {
        (*removed)++;
        continue;
      }
      if (r != w) PutIndex(w - 1, v);
      w--;
    }
    for (uint64_t k = h; k < w; k++) DeleteIndex(k);
    c_->SetListHead(w);
  }
  if (*removed > 0) c_->AddCount(-static_cast<int64_t>(*removed));
  return Status::OK();
}

void List::Trim(uint64_t start, uint64_t stop) {
  const uint64_t n = size();
  const uint64_t h = head();
  for (uint64_t k = 0; k < start; k++) DeleteIndex(h + k);
  for (uint64_t k = stop + 1; k < n; k++) DeleteIndex(h + k);
  c_->SetListHead(h + start);
  c_->AddCount(-static_cast<int64_t>(n - (stop - start + 1)));
}

}  // namespace shale::server
