// The C API (include/shale/c.h) over the C++ one: each opaque C type wraps
// its C++ object, each call converts its arguments, runs the C++ call and
// turns a non-OK Status into an errptr message. Every function is noexcept:
// the calls that report errors catch what the C++ side may throw (only
// std::bad_alloc and std::length_error from allocations) into errptr; the
// others terminate on it (convention (6) of c.h).
#include "shale/c.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "shale/db.h"

using shale::CompressionType;
using shale::DB;
using shale::Status;

extern "C" {

struct shale_t {
  std::unique_ptr<DB> rep;
};
struct shale_cache_t {
  std::shared_ptr<shale::Cache> rep;
};
struct shale_env_t {
  shale::Env* rep;
};
struct shale_filterpolicy_t {
  int bits_per_key;
};
struct shale_iterator_t {
  std::unique_ptr<shale::Iterator> rep;
  // The upper bound the iterator's ReadOptions points to, owned here so it
  // lives as long as the iterator (the readoptions may be destroyed).
  std::string upper_bound;
  std::string_view upper_bound_view;
};
struct shale_options_t {
  shale::Options rep;
  // An unknown enum value given to a setter, reported by shale_open.
  std::string error;
};
struct shale_readoptions_t {
  shale::ReadOptions rep;
  bool has_upper_bound = false;
  std::string upper_bound;
};
struct shale_snapshot_t {
  const shale::Snapshot* rep;
};
struct shale_stats_t {
  std::vector<std::string> names;
  std::vector<double> values;
};
struct shale_writebatch_t {
  shale::WriteBatch rep;
};
struct shale_writeoptions_t {
  shale::WriteOptions rep;
};

}  // extern "C"

namespace {

char* CopyString(std::string_view s) {
  char* result = static_cast<char*>(std::malloc(s.size() + 1));
  if (result == nullptr) throw std::bad_alloc();
  std::memcpy(result, s.data(), s.size());
  result[s.size()] = '\0';
  return result;
}

void SetError(char** errptr, std::string_view message) {
  std::free(*errptr);
  // Out of memory for the message itself: a static string cannot be
  // handed out (the caller frees it), so say nothing rather than crash.
  *errptr = static_cast<char*>(std::malloc(message.size() + 1));
  if (*errptr != nullptr) {
    std::memcpy(*errptr, message.data(), message.size());
    (*errptr)[message.size()] = '\0';
  }
}

// Stores s in *errptr if it is an error; returns whether it was OK.
bool SaveError(char** errptr, const Status& s) {
  if (s.ok()) return true;
  SetError(errptr, s.ToString());
  return false;
}

// Runs fn, turning an exception into an errptr message.
template <typename Fn>
void Guard(char** errptr, Fn&& fn) noexcept {
  try {
    fn();
  } catch (const std::bad_alloc&) {
    SetError(errptr, "IO error: out of memory");
  } catch (const std::exception& e) {
    SetError(errptr, std::string("IO error: ") + e.what());
  } catch (...) {
    SetError(errptr, "IO error: unknown exception");
  }
}

bool ToCompression(int v, CompressionType* type) {
  switch (v) {
    case shale_no_compression:
      *type = CompressionType::kNone;
      return true;
    case shale_snappy_compression:
      *type = CompressionType::kSnappy;
      return true;
    case shale_lz4_compression:
      *type = CompressionType::kLZ4;
      return true;
    case shale_zstd_compression:
      *type = CompressionType::kZstd;
      return true;
    default:
      return false;
  }
}

std::string_view View(const char* p, size_t n) { return {p, n}; }

// Adapts the C callbacks of shale_writebatch_iterate*.
class CallbackHandler : public shale::WriteBatch::Handler {
 public:
  using PutFn = void (*)(void*, const char*, size_t, const char*, size_t);
  using PutExpireFn = void (*)(void*, const char*, size_t, const char*, size_t,
                               uint64_t);
  using DeleteFn = void (*)(void*, const char*, size_t);
  CallbackHandler(void* state, PutFn put, PutExpireFn put_expire,
                  DeleteFn deleted)
      : state_(state), put_(put), put_expire_(put_expire), deleted_(deleted) {}
  void Put(std::string_view key, std::string_view value,
           uint64_t expire_at_ms) override {
    if (put_expire_ != nullptr) {
      put_expire_(state_, key.data(), key.size(), value.data(), value.size(),
                  expire_at_ms);
    } else {
      put_(state_, key.data(), key.size(), value.data(), value.size());
    }
  }
  void Delete(std::string_view key) override {
    deleted_(state_, key.data(), key.size());
  }

 private:
  void* state_;
  PutFn put_;
  PutExpireFn put_expire_;
  DeleteFn deleted_;
};

// Re-adds every update it sees to a batch (shale_writebatch_append).
class AppendHandler : public shale::WriteBatch::Handler {
 public:
  explicit AppendHandler(shale::WriteBatch* dest) : dest_(dest) {}
  void Put(std::string_view key, std::string_view value,
           uint64_t expire_at_ms) override {
    dest_->Put(key, value, expire_at_ms);
  }
  void Delete(std::string_view key) override { dest_->Delete(key); }

 private:
  shale::WriteBatch* dest_;
};

}  // namespace

extern "C" {

// --- DB operations -----------------------------------------------------------

shale_t* shale_open(const shale_options_t* options, const char* name,
                    char** errptr) noexcept {
  shale_t* result = nullptr;
  Guard(errptr, [&] {
    if (!options->error.empty()) {
      SetError(errptr, options->error);
      return;
    }
    std::unique_ptr<DB> db;
    if (!SaveError(errptr, DB::Open(options->rep, name, &db))) return;
    result = new shale_t{std::move(db)};
  });
  return result;
}

void shale_close(shale_t* db) noexcept { delete db; }

void shale_put(shale_t* db, const shale_writeoptions_t* options,
               const char* key, size_t keylen, const char* val, size_t vallen,
               char** errptr) noexcept {
  Guard(errptr, [&] {
    SaveError(errptr,
              db->rep->Put(options->rep, View(key, keylen), View(val, vallen)));
  });
}

void shale_delete(shale_t* db, const shale_writeoptions_t* options,
                  const char* key, size_t keylen, char** errptr) noexcept {
  Guard(errptr, [&] {
    SaveError(errptr, db->rep->Delete(options->rep, View(key, keylen)));
  });
}

void shale_write(shale_t* db, const shale_writeoptions_t* options,
                 shale_writebatch_t* batch, char** errptr) noexcept {
  Guard(errptr,
        [&] { SaveError(errptr, db->rep->Write(options->rep, &batch->rep)); });
}

char* shale_get(shale_t* db, const shale_readoptions_t* options,
                const char* key, size_t keylen, size_t* vallen,
                char** errptr) noexcept {
  char* result = nullptr;
  *vallen = 0;
  Guard(errptr, [&] {
    std::string value;
    Status s = db->rep->Get(options->rep, View(key, keylen), &value);
    if (s.IsNotFound()) return;
    if (!SaveError(errptr, s)) return;
    // malloc(0) may return NULL, which would read as "absent".
    result = static_cast<char*>(std::malloc(value.empty() ? 1 : value.size()));
    if (result == nullptr) throw std::bad_alloc();
    std::memcpy(result, value.data(), value.size());
    *vallen = value.size();
  });
  return result;
}

void shale_multi_get(shale_t* db, const shale_readoptions_t* options,
                     size_t num_keys, const char* const* keys_list,
                     const size_t* keys_list_sizes, char** values_list,
                     size_t* values_list_sizes, char** errs) noexcept {
  for (size_t i = 0; i < num_keys; i++) {
    values_list[i] = nullptr;
    values_list_sizes[i] = 0;
    errs[i] = nullptr;
  }
  char* error = nullptr;
  Guard(&error, [&] {
    std::vector<std::string_view> keys(num_keys);
    for (size_t i = 0; i < num_keys; i++) {
      keys[i] = View(keys_list[i], keys_list_sizes[i]);
    }
    std::vector<std::string> values(num_keys);
    std::vector<Status> statuses(num_keys);
    db->rep->MultiGet(options->rep, keys, values, statuses);
    for (size_t i = 0; i < num_keys; i++) {
      if (statuses[i].IsNotFound()) continue;
      if (!SaveError(&errs[i], statuses[i])) continue;
      values_list[i] = static_cast<char*>(
          std::malloc(values[i].empty() ? 1 : values[i].size()));
      if (values_list[i] == nullptr) throw std::bad_alloc();
      std::memcpy(values_list[i], values[i].data(), values[i].size());
      values_list_sizes[i] = values[i].size();
    }
  });
  if (error == nullptr) return;
  // Out of memory part way: every key without an answer reports it.
  for (size_t i = 0; i < num_keys; i++) {
    if (values_list[i] == nullptr && errs[i] == nullptr)
      SetError(&errs[i], error);
  }
  std::free(error);
}

shale_iterator_t* shale_create_iterator(
    shale_t* db, const shale_readoptions_t* options) noexcept {
  auto* result = new shale_iterator_t;
  shale::ReadOptions read_options = options->rep;
  if (options->has_upper_bound) {
    result->upper_bound = options->upper_bound;
    result->upper_bound_view = result->upper_bound;
    read_options.iterate_upper_bound = &result->upper_bound_view;
  }
  result->rep = db->rep->NewIterator(read_options);
  return result;
}

const shale_snapshot_t* shale_create_snapshot(shale_t* db) noexcept {
  return new shale_snapshot_t{db->rep->GetSnapshot()};
}

void shale_release_snapshot(shale_t* db,
                            const shale_snapshot_t* snapshot) noexcept {
  db->rep->ReleaseSnapshot(snapshot->rep);
  delete snapshot;
}

char* shale_property_value(shale_t* db, const char* propname) noexcept {
  std::string value;
  if (!db->rep->GetProperty(propname, &value)) return nullptr;
  return CopyString(value);
}

void shale_compact_range_gc(shale_t* db, const char* start_key,
                            size_t start_key_len, const char* limit_key,
                            size_t limit_key_len, uint8_t force_vlog_gc,
                            char** errptr) noexcept {
  Guard(errptr, [&] {
    std::string_view begin(start_key == nullptr ? "" : start_key,
                           start_key_len);
    std::string_view end(limit_key == nullptr ? "" : limit_key, limit_key_len);
    shale::CompactRangeOptions options;
    options.force_vlog_gc = force_vlog_gc != 0;
    SaveError(errptr, db->rep->CompactRange(
                          options, start_key == nullptr ? nullptr : &begin,
                          limit_key == nullptr ? nullptr : &end));
  });
}

void shale_compact_range(shale_t* db, const char* start_key,
                         size_t start_key_len, const char* limit_key,
                         size_t limit_key_len) noexcept {
  char* error = nullptr;
  shale_compact_range_gc(db, start_key, start_key_len, limit_key, limit_key_len,
                         0, &error);
  std::free(error);
}

void shale_flush(shale_t* db, char** errptr) noexcept {
  Guard(errptr, [&] { SaveError(errptr, db->rep->Flush()); });
}

void shale_sync_wal(shale_t* db, char** errptr) noexcept {
  Guard(errptr, [&] { SaveError(errptr, db->rep->SyncWAL()); });
}

void shale_wait_for_compactions(shale_t* db, char** errptr) noexcept {
  Guard(errptr, [&] { SaveError(errptr, db->rep->WaitForCompactions()); });
}

void shale_resume(shale_t* db, char** errptr) noexcept {
  Guard(errptr, [&] { SaveError(errptr, db->rep->Resume()); });
}

void shale_checkpoint_create(shale_t* db, const char* dir,
                             char** errptr) noexcept {
  Guard(errptr, [&] { SaveError(errptr, db->rep->CreateCheckpoint(dir)); });
}

void shale_destroy_db(const shale_options_t* options, const char* name,
                      char** errptr) noexcept {
  Guard(errptr,
        [&] { SaveError(errptr, shale::DestroyDB(name, options->rep)); });
}

// --- Statistics
// ----------------------------------------------------------------

shale_stats_t* shale_stats_create(shale_t* db) noexcept {
  std::map<std::string, double> map;
  db->rep->GetStatsMap(&map);
  auto* stats = new shale_stats_t;
  stats->names.reserve(map.size());
  stats->values.reserve(map.size());
  for (auto& [name, value] : map) {
    stats->names.push_back(name);
    stats->values.push_back(value);
  }
  return stats;
}

void shale_stats_destroy(shale_stats_t* stats) noexcept { delete stats; }

size_t shale_stats_count(const shale_stats_t* stats) noexcept {
  return stats->names.size();
}

const char* shale_stats_name(const shale_stats_t* stats, size_t i) noexcept {
  return stats->names[i].c_str();
}

double shale_stats_value(const shale_stats_t* stats, size_t i) noexcept {
  return stats->values[i];
}

uint8_t shale_stats_get(const shale_stats_t* stats, const char* name,
                        double* value) noexcept {
  // The names are sorted (they came from a std::map).
  auto it = std::lower_bound(stats->names.begin(), stats->names.end(),
                             std::string_view(name));
  if (it == stats->names.end() || *it != name) return 0;
  *value = stats->values[it - stats->names.begin()];
  return 1;
}

// --- Iterators
// -----------------------------------------------------------------

void shale_iter_destroy(shale_iterator_t* iter) noexcept { delete iter; }

uint8_t shale_iter_valid(const shale_iterator_t* iter) noexcept {
  return iter->rep->Valid() ? 1 : 0;
}

void shale_iter_seek_to_first(shale_iterator_t* iter) noexcept {
  iter->rep->SeekToFirst();
}

void shale_iter_seek_to_last(shale_iterator_t* iter) noexcept {
  iter->rep->SeekToLast();
}

void shale_iter_seek(shale_iterator_t* iter, const char* k,
                     size_t klen) noexcept {
  iter->rep->Seek(View(k, klen));
}

void shale_iter_seek_for_prev(shale_iterator_t* iter, const char* k,
                              size_t klen) noexcept {
  iter->rep->SeekForPrev(View(k, klen));
}

void shale_iter_next(shale_iterator_t* iter) noexcept { iter->rep->Next(); }

void shale_iter_prev(shale_iterator_t* iter) noexcept { iter->rep->Prev(); }

const char* shale_iter_key(const shale_iterator_t* iter,
                           size_t* klen) noexcept {
  std::string_view key = iter->rep->key();
  *klen = key.size();
  return key.data();
}

const char* shale_iter_value(const shale_iterator_t* iter,
                             size_t* vlen) noexcept {
  std::string_view value = iter->rep->value();
  *vlen = value.size();
  return value.data();
}

void shale_iter_get_error(const shale_iterator_t* iter,
                          char** errptr) noexcept {
  Guard(errptr, [&] { SaveError(errptr, iter->rep->status()); });
}

// --- Write batches
// ---------------------------------------------------------------

shale_writebatch_t* shale_writebatch_create(void) noexcept {
  return new shale_writebatch_t;
}

void shale_writebatch_destroy(shale_writebatch_t* batch) noexcept {
  delete batch;
}

void shale_writebatch_clear(shale_writebatch_t* batch) noexcept {
  batch->rep.Clear();
}

void shale_writebatch_put(shale_writebatch_t* batch, const char* key,
                          size_t klen, const char* val, size_t vlen) noexcept {
  batch->rep.Put(View(key, klen), View(val, vlen));
}

void shale_writebatch_put_expire_at(shale_writebatch_t* batch, const char* key,
                                    size_t klen, const char* val, size_t vlen,
                                    uint64_t expire_at_ms) noexcept {
  batch->rep.Put(View(key, klen), View(val, vlen), expire_at_ms);
}

void shale_writebatch_delete(shale_writebatch_t* batch, const char* key,
                             size_t klen) noexcept {
  batch->rep.Delete(View(key, klen));
}

int shale_writebatch_count(const shale_writebatch_t* batch) noexcept {
  return static_cast<int>(batch->rep.Count());
}

// A batch built through this API is never damaged, so Iterate's status
// (Corruption of a bad encoding) cannot be non-OK here.
void shale_writebatch_iterate(const shale_writebatch_t* batch, void* state,
                              void (*put)(void*, const char* k, size_t klen,
                                          const char* v, size_t vlen),
                              void (*deleted)(void*, const char* k,
                                              size_t klen)) noexcept {
  CallbackHandler handler(state, put, nullptr, deleted);
  batch->rep.Iterate(&handler).PermitUncheckedError();
}

void shale_writebatch_iterate_expire_at(
    const shale_writebatch_t* batch, void* state,
    void (*put)(void*, const char* k, size_t klen, const char* v, size_t vlen,
                uint64_t expire_at_ms),
    void (*deleted)(void*, const char* k, size_t klen)) noexcept {
  CallbackHandler handler(state, nullptr, put, deleted);
  batch->rep.Iterate(&handler).PermitUncheckedError();
}

void shale_writebatch_append(shale_writebatch_t* destination,
                             const shale_writebatch_t* source) noexcept {
  AppendHandler handler(&destination->rep);
  source->rep.Iterate(&handler).PermitUncheckedError();
}

// --- Options
// ---------------------------------------------------------------------

shale_options_t* shale_options_create(void) noexcept {
  return new shale_options_t;
}

void shale_options_destroy(shale_options_t* options) noexcept {
  delete options;
}

void shale_options_set_create_if_missing(shale_options_t* options,
                                         uint8_t v) noexcept {
  options->rep.create_if_missing = v != 0;
}

void shale_options_set_error_if_exists(shale_options_t* options,
                                       uint8_t v) noexcept {
  options->rep.error_if_exists = v != 0;
}

void shale_options_set_paranoid_checks(shale_options_t* options,
                                       uint8_t v) noexcept {
  options->rep.paranoid_checks = v != 0;
}

void shale_options_set_env(shale_options_t* options,
                           shale_env_t* env) noexcept {
  options->rep.env = env == nullptr ? nullptr : env->rep;
}

void shale_options_set_write_buffer_size(shale_options_t* options,
                                         size_t v) noexcept {
  options->rep.write_buffer_size = v;
}

void shale_options_set_max_write_buffer_number(shale_options_t* options,
                                               int v) noexcept {
  options->rep.max_write_buffer_number = v;
}

void shale_options_set_max_open_files(shale_options_t* options,
                                      int v) noexcept {
  options->rep.max_open_files = v;
}

void shale_options_set_cache(shale_options_t* options,
                             shale_cache_t* cache) noexcept {
  options->rep.block_cache = cache == nullptr ? nullptr : cache->rep;
}

void shale_options_set_block_cache_capacity(shale_options_t* options,
                                            size_t v) noexcept {
  options->rep.block_cache_capacity = v;
}

void shale_options_set_cache_index_and_filter_blocks(shale_options_t* options,
                                                     uint8_t v) noexcept {
  options->rep.cache_index_and_filter_blocks = v != 0;
}

void shale_options_set_block_size(shale_options_t* options, size_t v) noexcept {
  options->rep.block_size = v;
}

void shale_options_set_block_restart_interval(shale_options_t* options,
                                              int v) noexcept {
  options->rep.block_restart_interval = v;
}

void shale_options_set_max_file_size(shale_options_t* options,
                                     size_t v) noexcept {
  options->rep.target_file_size = v;
}

void shale_options_set_filter_policy(shale_options_t* options,
                                     shale_filterpolicy_t* policy) noexcept {
  options->rep.bloom_bits_per_key =
      policy == nullptr ? 0 : policy->bits_per_key;
}

void shale_options_set_compression(shale_options_t* options, int v) noexcept {
  if (!ToCompression(v, &options->rep.compression)) {
    options->error =
        "Invalid argument: unknown compression type " + std::to_string(v);
  }
}

void shale_options_set_compression_per_level(shale_options_t* options,
                                             const int* level_values,
                                             size_t num_levels) noexcept {
  options->rep.compression_per_level.assign(num_levels, CompressionType::kNone);
  for (size_t i = 0; i < num_levels; i++) {
    if (!ToCompression(level_values[i],
                       &options->rep.compression_per_level[i])) {
      options->error = "Invalid argument: unknown compression type " +
                       std::to_string(level_values[i]);
    }
  }
}

void shale_options_set_wal_recovery_mode(shale_options_t* options,
                                         int v) noexcept {
  if (v < shale_tolerate_corrupted_tail_records_recovery ||
      v > shale_absolute_consistency_recovery) {
    options->error =
        "Invalid argument: unknown WAL recovery mode " + std::to_string(v);
    return;
  }
  options->rep.wal_recovery_mode = static_cast<shale::WalRecoveryMode>(v);
}

void shale_options_set_recycle_log_file_num(shale_options_t* options,
                                            size_t v) noexcept {
  options->rep.recycle_log_file_num = v;
}

void shale_options_set_enable_value_separation(shale_options_t* options,
                                               uint8_t v) noexcept {
  options->rep.enable_value_separation = v != 0;
}

void shale_options_set_min_blob_size(shale_options_t* options,
                                     size_t v) noexcept {
  options->rep.min_blob_size = v;
}

void shale_options_set_blob_gc_threshold(shale_options_t* options,
                                         double v) noexcept {
  options->rep.blob_gc_threshold = v;
}

void shale_options_set_max_background_jobs(shale_options_t* options,
                                           int v) noexcept {
  options->rep.max_background_jobs = v;
}

void shale_options_set_compaction_thread_nice(shale_options_t* options,
                                              int v) noexcept {
  options->rep.compaction_thread_nice = v;
}

void shale_options_set_level0_file_num_compaction_trigger(
    shale_options_t* options, int v) noexcept {
  options->rep.level0_file_num_compaction_trigger = v;
}

void shale_options_set_level0_slowdown_writes_trigger(shale_options_t* options,
                                                      int v) noexcept {
  options->rep.level0_slowdown_writes_trigger = v;
}

void shale_options_set_level0_stop_writes_trigger(shale_options_t* options,
                                                  int v) noexcept {
  options->rep.level0_stop_writes_trigger = v;
}

void shale_options_set_max_bytes_for_level_base(shale_options_t* options,
                                                uint64_t v) noexcept {
  options->rep.max_bytes_for_level_base = v;
}

void shale_options_set_max_bytes_for_level_multiplier(shale_options_t* options,
                                                      double v) noexcept {
  options->rep.max_bytes_for_level_multiplier = v;
}

void shale_options_set_max_mem_compaction_level(shale_options_t* options,
                                                int v) noexcept {
  options->rep.max_mem_compact_level = v;
}

shale_filterpolicy_t* shale_filterpolicy_create_bloom(
    int bits_per_key) noexcept {
  return new shale_filterpolicy_t{bits_per_key};
}

void shale_filterpolicy_destroy(shale_filterpolicy_t* policy) noexcept {
  delete policy;
}

shale_readoptions_t* shale_readoptions_create(void) noexcept {
  return new shale_readoptions_t;
}

void shale_readoptions_destroy(shale_readoptions_t* options) noexcept {
  delete options;
}

void shale_readoptions_set_verify_checksums(shale_readoptions_t* options,
                                            uint8_t v) noexcept {
  options->rep.verify_checksums = v != 0;
}

void shale_readoptions_set_fill_cache(shale_readoptions_t* options,
                                      uint8_t v) noexcept {
  options->rep.fill_cache = v != 0;
}

void shale_readoptions_set_snapshot(shale_readoptions_t* options,
                                    const shale_snapshot_t* snapshot) noexcept {
  options->rep.snapshot = snapshot == nullptr ? nullptr : snapshot->rep;
}

void shale_readoptions_set_iterate_upper_bound(shale_readoptions_t* options,
                                               const char* key,
                                               size_t keylen) noexcept {
  options->has_upper_bound = key != nullptr;
  options->upper_bound.assign(key == nullptr ? "" : key,
                              key == nullptr ? 0 : keylen);
}

shale_writeoptions_t* shale_writeoptions_create(void) noexcept {
  return new shale_writeoptions_t;
}

void shale_writeoptions_destroy(shale_writeoptions_t* options) noexcept {
  delete options;
}

void shale_writeoptions_set_sync(shale_writeoptions_t* options,
                                 uint8_t v) noexcept {
  options->rep.sync = v != 0;
}

void shale_writeoptions_set_expire_at_ms(shale_writeoptions_t* options,
                                         uint64_t v) noexcept {
  options->rep.expire_at_ms = v;
}

// --- Caches and environments
// --------------------------------------------------

shale_cache_t* shale_cache_create_lru(size_t capacity) noexcept {
  return new shale_cache_t{shale::NewClockCache(capacity)};
}

void shale_cache_destroy(shale_cache_t* cache) noexcept { delete cache; }

shale_env_t* shale_create_default_env(void) noexcept {
  return new shale_env_t{shale::Env::Default()};
}

void shale_env_destroy(shale_env_t* env) noexcept { delete env; }

// --- Utility
// ---------------------------------------------------------------------

void shale_free(void* ptr) noexcept { std::free(ptr); }

int shale_major_version(void) noexcept { return SHALE_VERSION_MAJOR; }

int shale_minor_version(void) noexcept { return SHALE_VERSION_MINOR; }

}  // extern "C"
