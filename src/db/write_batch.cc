// WriteBatch and its encoding; the grammar is in db/write_batch_internal.h
// and docs/format/wal.md.
#include "shale/write_batch.h"

#include <cassert>

#include "db/dbformat.h"
#include "db/stored_value.h"
#include "db/write_batch_internal.h"
#include "util/coding.h"

namespace shale {

namespace {

constexpr size_t kCountOffset = 8;

// Parses the record at the front of *input. False when it is malformed; then
// *error says why.
bool ParseRecord(std::string_view* input, ValueType* type,
                 std::string_view* key, std::string_view* stored_value,
                 const char** error) {
  const uint8_t t = static_cast<uint8_t>((*input)[0]);
  input->remove_prefix(1);
  // Batches carry user writes only; value pointers exist only in tables.
  if (t != kTypeDeletion && t != kTypeValue && t != kTypeValueWithExpiry) {
    *error = "unknown record type";
    return false;
  }
  *type = static_cast<ValueType>(t);
  if (!GetLengthPrefixed(input, key)) {
    *error = "truncated key";
    return false;
  }
  *stored_value = {};
  if (t == kTypeDeletion) return true;
  if (!GetLengthPrefixed(input, stored_value)) {
    *error = "truncated value";
    return false;
  }
  StoredValue parsed;
  if (!parsed.Parse(*type, *stored_value)) {
    *error = "expiring value shorter than its expiry time";
    return false;
  }
  return true;
}

// Adapts the public Handler to the encoded records.
class PublicHandler final : public WriteBatchInternal::RecordHandler {
 public:
  explicit PublicHandler(WriteBatch::Handler* handler) : handler_(handler) {}
  void Record(ValueType type, std::string_view key,
              std::string_view stored_value) override {
    switch (type) {
      case kTypeDeletion:
        handler_->Delete(key);
        break;
      case kTypeValue:
        handler_->Put(key, stored_value, 0);
        break;
      case kTypeValueWithExpiry: {
        StoredValue parsed;
        // Checked by IterateRecords.
        [[maybe_unused]] bool ok = parsed.Parse(type, stored_value);
        assert(ok);
        handler_->Put(key, parsed.payload, parsed.expire_at_ms);
        break;
      }
      default:  // rejected by ParseRecord
        break;
    }
  }

 private:
  WriteBatch::Handler* const handler_;
};

}  // namespace

WriteBatch::WriteBatch() { Clear(); }

void WriteBatch::Put(std::string_view key, std::string_view value) {
  Put(key, value, 0);
}

void WriteBatch::Put(std::string_view key, std::string_view value,
                     uint64_t expire_at_ms) {
  WriteBatchInternal::SetCount(this, WriteBatchInternal::Count(this) + 1);
  if (expire_at_ms == 0) {
    rep_.push_back(static_cast<char>(kTypeValue));
    PutLengthPrefixed(&rep_, key);
    PutLengthPrefixed(&rep_, value);
    return;
  }
  rep_.push_back(static_cast<char>(kTypeValueWithExpiry));
  PutLengthPrefixed(&rep_, key);
  const StoredValue stored{true, expire_at_ms, value};
  PutVarint32(&rep_, static_cast<uint32_t>(stored.EncodedSize()));
  stored.AppendTo(&rep_);
}

void WriteBatch::Delete(std::string_view key) {
  WriteBatchInternal::SetCount(this, WriteBatchInternal::Count(this) + 1);
  rep_.push_back(static_cast<char>(kTypeDeletion));
  PutLengthPrefixed(&rep_, key);
}

void WriteBatch::Clear() { rep_.assign(WriteBatchInternal::kHeaderSize, '\0'); }

uint32_t WriteBatch::Count() const { return WriteBatchInternal::Count(this); }

Status WriteBatch::Iterate(Handler* handler) const {
  PublicHandler adapter(handler);
  return WriteBatchInternal::IterateRecords(this, &adapter);
}

uint32_t WriteBatchInternal::Count(const WriteBatch* batch) {
  return DecodeFixed32(batch->rep_.data() + kCountOffset);
}

void WriteBatchInternal::SetCount(WriteBatch* batch, uint32_t n) {
  EncodeFixed32(batch->rep_.data() + kCountOffset, n);
}

SequenceNumber WriteBatchInternal::Sequence(const WriteBatch* batch) {
  return DecodeFixed64(batch->rep_.data());
}

void WriteBatchInternal::SetSequence(WriteBatch* batch, SequenceNumber seq) {
  EncodeFixed64(batch->rep_.data(), seq);
}

Status WriteBatchInternal::SetContents(WriteBatch* batch,
                                       std::string_view contents) {
  if (contents.size() < kHeaderSize) {
    return Status::Corruption("WriteBatch", "shorter than its header");
  }
  batch->rep_.assign(contents.data(), contents.size());
  return Status::OK();
}

void WriteBatchInternal::Append(WriteBatch* dst, const WriteBatch* src) {
  assert(uint64_t{Count(dst)} + Count(src) <= UINT32_MAX);
  SetCount(dst, Count(dst) + Count(src));
  dst->rep_.append(src->rep_, kHeaderSize);
}

Status WriteBatchInternal::IterateRecords(const WriteBatch* batch,
                                          RecordHandler* handler) {
  std::string_view records(batch->rep_);
  if (records.size() < kHeaderSize) {
    return Status::Corruption("WriteBatch", "shorter than its header");
  }
  records.remove_prefix(kHeaderSize);

  // First pass: validate everything, so the handler never sees part of a
  // damaged batch.
  uint32_t found = 0;
  std::string_view input = records;
  while (!input.empty()) {
    ValueType type = kTypeDeletion;
    std::string_view key, stored_value;
    const char* error = "";
    if (!ParseRecord(&input, &type, &key, &stored_value, &error)) {
      return Status::Corruption(
          "WriteBatch",
          std::string(error) + " in record " + std::to_string(found));
    }
    found++;
  }
  if (found != Count(batch)) {
    return Status::Corruption(
        "WriteBatch", "count " + std::to_string(Count(batch)) + " but " +
                          std::to_string(found) + " records");
  }

  input = records;
  while (!input.empty()) {
    ValueType type = kTypeDeletion;
    std::string_view key, stored_value;
    const char* error = "";
    [[maybe_unused]] bool ok =
        ParseRecord(&input, &type, &key, &stored_value, &error);
    assert(ok);
    handler->Record(type, key, stored_value);
  }
  return Status::OK();
}

}  // namespace shale
