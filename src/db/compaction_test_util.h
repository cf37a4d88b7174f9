// Helpers for the tests of CompactionIterator and CompactionJob: crafted
// inputs (internal keys, stored values, values in a vlog on a MemEnv), a
// scriptable compaction filter, and entries printed as text.
#ifndef SHALE_DB_COMPACTION_TEST_UTIL_H_
#define SHALE_DB_COMPACTION_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "db/dbformat.h"
#include "db/filename.h"
#include "db/stored_value.h"
#include "shale/compaction_filter.h"
#include "table/test_iterator.h"
#include "util/mem_env.h"
#include "vlog/vlog_job.h"
#include "vlog/vlog_reader.h"
#include "vlog/vlog_writer.h"

namespace shale::test {

inline constexpr char kJobDb[] = "/db";

inline std::string IKey(std::string_view user_key, SequenceNumber seq,
                        ValueType type) {
  std::string k;
  AppendInternalKey(&k, user_key, seq, type);
  return k;
}

inline std::string Stored(std::string_view payload, uint64_t expire_at_ms = 0) {
  std::string s;
  StoredValue{expire_at_ms != 0, expire_at_ms, payload}.AppendTo(&s);
  return s;
}

// "key@seq:TYPE=value"; for value pointers "key@seq:BLOB=->file:offset",
// with "+exp" after the type when the entry expires.
inline std::string EntryText(std::string_view ikey, std::string_view value) {
  ParsedInternalKey k;
  if (!ParseInternalKey(ikey, &k)) return "<bad key>";
  static const char* kNames[] = {"DEL", "VAL", "VAL+exp", "BLOB", "BLOB+exp"};
  std::string r = std::string(k.user_key) + "@" + std::to_string(k.sequence) +
                  ":" + kNames[k.type];
  if (k.type == kTypeDeletion) return r;
  StoredValue stored;
  if (!stored.Parse(k.type, value)) return r + "=<short>";
  if (IsBlobIndex(k.type)) {
    ValuePointer ptr;
    if (!stored.DecodePointer(&ptr)) return r + "=<bad pointer>";
    return r + "=->" + std::to_string(ptr.file_number) + ":" +
           std::to_string(ptr.offset);
  }
  return r + "=" + std::string(stored.payload);
}

// A filter that follows a script: per user key, the key decision and the
// decision with the value (kChangeValue sets the value to "changed:" + the
// old one). Records every call.
class ScriptedFilter : public CompactionFilter {
 public:
  const char* Name() const override { return "test.ScriptedFilter"; }
  KeyDecision FilterKey(const Context& ctx, std::string_view key) override {
    std::lock_guard l(mu_);
    contexts.push_back(ctx);
    key_calls.emplace_back(key);
    auto it = key_decisions.find(std::string(key));
    return it == key_decisions.end() ? KeyDecision::kUndecided : it->second;
  }
  Decision Filter(const Context&, std::string_view key, std::string_view value,
                  std::string* new_value) override {
    std::lock_guard l(mu_);
    value_calls.push_back(std::string(key) + "=" + std::string(value));
    auto it = decisions.find(std::string(key));
    Decision d = it == decisions.end() ? Decision::kKeep : it->second;
    if (d == Decision::kChangeValue) {
      *new_value =
          replacement.empty() ? "changed:" + std::string(value) : replacement;
    }
    return d;
  }

  std::map<std::string, KeyDecision> key_decisions;
  std::map<std::string, Decision> decisions;
  std::string replacement;  // kChangeValue's value, if not empty
  std::vector<Context> contexts;
  std::vector<std::string> key_calls;
  std::vector<std::string> value_calls;

 private:
  std::mutex mu_;
};

// A MemEnv with one vlog of existing values and the parts a VlogJob needs.
class JobTestBase : public testing::Test {
 protected:
  JobTestBase() : reader_(kJobDb, &env_, 16) {}

  // Writes vlog `number` holding kvs; returns their pointers, encoded.
  std::vector<std::string> WriteVlog(
      uint64_t number,
      const std::vector<std::pair<std::string, std::string>>& kvs) {
    std::unique_ptr<WritableFile> file;
    EXPECT_TRUE(env_.NewWritableFile(VlogFileName(kJobDb, number), &file).ok());
    VlogWriter writer(number, std::move(file));
    std::vector<std::string> pointers;
    for (const auto& [k, v] : kvs) {
      ValuePointer ptr;
      EXPECT_TRUE(writer.Add(k, v, &ptr).ok());
      pointers.emplace_back();
      ptr.EncodeTo(&pointers.back());
    }
    EXPECT_TRUE(writer.Finish().ok());
    return pointers;
  }

  VlogJob::Options VlogOptions() {
    VlogJob::Options o;
    o.env = &env_;
    o.dbname = kJobDb;
    o.separate = true;
    o.min_blob_size = 10;
    o.reader = &reader_;
    o.new_file_number = [this] { return next_file_++; };
    return o;
  }

  MemEnv env_;
  VlogReader reader_;
  uint64_t next_file_ = 100;
};

}  // namespace shale::test

#endif  // SHALE_DB_COMPACTION_TEST_UTIL_H_
