/* shale's C API: usable from C99 and from any language with a C FFI.

   It mirrors LevelDB's C API (leveldb/c.h): code written against it ports
   by renaming the prefix `leveldb_` to `shale_`. The functions LevelDB has
   and shale offers keep their names, argument order and conventions; the
   ones shale adds (expiry, multi-get, flush, statistics, ...) follow the
   same style, with RocksDB's C API (rocksdb/c.h) names where it has one.

   Conventions:
   (1) Every object is an opaque pointer, created by a *_create (or
       shale_open, shale_create_iterator, ...) function and released by the
       matching *_destroy (shale_close, shale_iter_destroy, ...).
   (2) Keys and values are byte arrays passed as a pointer and a length;
       they may hold any byte, NUL included.
   (3) Errors: a function that can fail takes `char** errptr` last. On
       entry *errptr must be NULL or a message malloc()ed by this library.
       On success the function leaves *errptr unchanged; on failure it frees
       the old message and stores a new malloc()ed, NUL-terminated one,
       "<code>: <detail>", where <code> is one of "NotFound", "Corruption",
       "Not supported", "Invalid argument", "IO error", "IO error (no
       space)" or "Busy" (the text of shale::Status::ToString). Release it
       with shale_free.
   (4) Booleans are uint8_t: 0 is false, anything else true.
   (5) Pointer arguments must be non-NULL unless a function says otherwise.
   (6) No C++ exception crosses this API. A function with an errptr reports
       running out of memory there ("IO error: out of memory"); one without
       (e.g. shale_writebatch_put) aborts the process, as malloc failures
       do in most C libraries.

   Thread safety: a shale_t may be used from many threads at once; every
   other object (options, batch, iterator) by one thread at a time.

   What LevelDB's C API has and this one does not: custom comparators,
   filter policies other than the built-in bloom filter, custom Envs and
   info logs, shale_approximate_sizes and shale_repair_db. */
#ifndef SHALE_INCLUDE_C_H_
#define SHALE_INCLUDE_C_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
/* C++ callers see that nothing here throws (convention (6)). */
#define SHALE_NOEXCEPT noexcept
#else
#define SHALE_NOEXCEPT
#endif

typedef struct shale_t shale_t;
typedef struct shale_cache_t shale_cache_t;
typedef struct shale_env_t shale_env_t;
typedef struct shale_filterpolicy_t shale_filterpolicy_t;
typedef struct shale_iterator_t shale_iterator_t;
typedef struct shale_options_t shale_options_t;
typedef struct shale_readoptions_t shale_readoptions_t;
typedef struct shale_snapshot_t shale_snapshot_t;
typedef struct shale_stats_t shale_stats_t;
typedef struct shale_writebatch_t shale_writebatch_t;
typedef struct shale_writeoptions_t shale_writeoptions_t;

/* --- DB operations ------------------------------------------------------ */

/* Opens (or creates, with create_if_missing) the DB in directory name.
   Returns NULL and sets *errptr on failure (e.g. "Busy: ..." when another
   handle has it open). The options may be destroyed after the call. */
shale_t* shale_open(const shale_options_t* options, const char* name,
                    char** errptr) SHALE_NOEXCEPT;

/* Closes the DB and frees db. REQUIRES: every iterator and snapshot of it
   has been released. */
void shale_close(shale_t* db) SHALE_NOEXCEPT;

/* Stores key -> val (expiring as shale_writeoptions_set_expire_at_ms
   says). */
void shale_put(shale_t* db, const shale_writeoptions_t* options,
               const char* key, size_t keylen, const char* val, size_t vallen,
               char** errptr) SHALE_NOEXCEPT;

/* Removes key; not an error if it is absent. */
void shale_delete(shale_t* db, const shale_writeoptions_t* options,
                  const char* key, size_t keylen, char** errptr) SHALE_NOEXCEPT;

/* Applies every update of batch atomically. The batch is not modified. */
void shale_write(shale_t* db, const shale_writeoptions_t* options,
                 shale_writebatch_t* batch, char** errptr) SHALE_NOEXCEPT;

/* Returns NULL if key is absent (or deleted, or expired): that is not an
   error and *errptr is left alone. Otherwise returns the value in a
   malloc()ed array of *vallen bytes (not NUL-terminated), to be released
   with shale_free. */
char* shale_get(shale_t* db, const shale_readoptions_t* options,
                const char* key, size_t keylen, size_t* vallen,
                char** errptr) SHALE_NOEXCEPT;

/* Reads num_keys keys at one point of the write order (faster than as many
   shale_get calls: see shale::DB::MultiGet). For each i: values_list[i] is
   a malloc()ed value of values_list_sizes[i] bytes, or NULL when the key is
   absent (errs[i] NULL) or its read failed (errs[i] a malloc()ed message).
   Every non-NULL values_list[i] and errs[i] is the caller's to shale_free.
   The errs[i] are overwritten, not freed, on entry. */
void shale_multi_get(shale_t* db, const shale_readoptions_t* options,
                     size_t num_keys, const char* const* keys_list,
                     const size_t* keys_list_sizes, char** values_list,
                     size_t* values_list_sizes, char** errs) SHALE_NOEXCEPT;

/* An iterator over the DB (or the options' snapshot); not positioned until
   a seek. Destroy it with shale_iter_destroy before closing the DB. The
   options may be destroyed after the call. */
shale_iterator_t* shale_create_iterator(
    shale_t* db, const shale_readoptions_t* options) SHALE_NOEXCEPT;

/* Pins the current state for reads (shale_readoptions_set_snapshot). */
const shale_snapshot_t* shale_create_snapshot(shale_t* db) SHALE_NOEXCEPT;
/* REQUIRES: snapshot came from db and is released once. */
void shale_release_snapshot(shale_t* db,
                            const shale_snapshot_t* snapshot) SHALE_NOEXCEPT;

/* Returns NULL if propname is unknown, else its value as a malloc()ed
   NUL-terminated string (shale_free). Names: see shale::DB::GetProperty
   ("shale.stats", "shale.num-files-at-level<N>", "shale.levelstats", ...).
   LevelDB's "leveldb." names are not recognized. */
char* shale_property_value(shale_t* db, const char* propname) SHALE_NOEXCEPT;

/* Compacts the keys in [start_key, limit_key] (a NULL start_key or
   limit_key leaves that side open) down to the last non-empty level and
   waits until it is done. Errors are not reported (as in LevelDB); use
   shale_compact_range_gc to see them. */
void shale_compact_range(shale_t* db, const char* start_key,
                         size_t start_key_len, const char* limit_key,
                         size_t limit_key_len) SHALE_NOEXCEPT;

/* shale_compact_range, reporting errors, and with force_vlog_gc also
   rewriting every live value in the range that sits in a value log file
   holding garbage (shale::CompactRangeOptions::force_vlog_gc). */
void shale_compact_range_gc(shale_t* db, const char* start_key,
                            size_t start_key_len, const char* limit_key,
                            size_t limit_key_len, uint8_t force_vlog_gc,
                            char** errptr) SHALE_NOEXCEPT;

/* Writes the memtable to a table file and waits until it is in the DB. */
void shale_flush(shale_t* db, char** errptr) SHALE_NOEXCEPT;

/* Makes every acknowledged write durable against power loss. */
void shale_sync_wal(shale_t* db, char** errptr) SHALE_NOEXCEPT;

/* Waits until no flush or compaction is pending or running; reports the
   background error, if any. */
void shale_wait_for_compactions(shale_t* db, char** errptr) SHALE_NOEXCEPT;

/* After a background error (writes then fail), retries: writes are
   accepted again if the cause is gone. */
void shale_resume(shale_t* db, char** errptr) SHALE_NOEXCEPT;

/* Creates directory dir holding an openable copy of the DB as of the call
   (shale::DB::CreateCheckpoint): table and value log files hard-linked
   where possible, copied otherwise. dir must not exist ("Invalid argument:
   ..." if it does); on failure nothing is left of it. */
void shale_checkpoint_create(shale_t* db, const char* dir,
                             char** errptr) SHALE_NOEXCEPT;

/* Deletes every file of the DB in directory name. "Busy: ..." if it is
   open. */
void shale_destroy_db(const shale_options_t* options, const char* name,
                      char** errptr) SHALE_NOEXCEPT;

/* --- Statistics ---------------------------------------------------------- */

/* A copy of the DB's counters and gauges at the time of the call, by name
   ("user_bytes_written", "level0.files", "block_cache.hits", ...; see
   shale::DB::GetStatsMap), in ascending order of name. */
shale_stats_t* shale_stats_create(shale_t* db) SHALE_NOEXCEPT;
void shale_stats_destroy(shale_stats_t* stats) SHALE_NOEXCEPT;
size_t shale_stats_count(const shale_stats_t* stats) SHALE_NOEXCEPT;
/* The i-th name (valid until the stats are destroyed) and value.
   REQUIRES: i < shale_stats_count(stats). */
const char* shale_stats_name(const shale_stats_t* stats,
                             size_t i) SHALE_NOEXCEPT;
double shale_stats_value(const shale_stats_t* stats, size_t i) SHALE_NOEXCEPT;
/* Stores the value of name in *value and returns 1, or returns 0 (leaving
 *value alone) if there is no such statistic. */
uint8_t shale_stats_get(const shale_stats_t* stats, const char* name,
                        double* value) SHALE_NOEXCEPT;

/* --- Iterators ----------------------------------------------------------- */

void shale_iter_destroy(shale_iterator_t* iter) SHALE_NOEXCEPT;
uint8_t shale_iter_valid(const shale_iterator_t* iter) SHALE_NOEXCEPT;
void shale_iter_seek_to_first(shale_iterator_t* iter) SHALE_NOEXCEPT;
void shale_iter_seek_to_last(shale_iterator_t* iter) SHALE_NOEXCEPT;
/* Positions at the first key >= k. */
void shale_iter_seek(shale_iterator_t* iter, const char* k,
                     size_t klen) SHALE_NOEXCEPT;
/* Positions at the last key <= k. */
void shale_iter_seek_for_prev(shale_iterator_t* iter, const char* k,
                              size_t klen) SHALE_NOEXCEPT;
/* REQUIRES for next, prev, key and value: shale_iter_valid(iter). */
void shale_iter_next(shale_iterator_t* iter) SHALE_NOEXCEPT;
void shale_iter_prev(shale_iterator_t* iter) SHALE_NOEXCEPT;
/* The current key or value, valid until the iterator moves or is
   destroyed; not NUL-terminated. */
const char* shale_iter_key(const shale_iterator_t* iter,
                           size_t* klen) SHALE_NOEXCEPT;
const char* shale_iter_value(const shale_iterator_t* iter,
                             size_t* vlen) SHALE_NOEXCEPT;
/* Sets *errptr if the iterator met an error (it is then not valid). */
void shale_iter_get_error(const shale_iterator_t* iter,
                          char** errptr) SHALE_NOEXCEPT;

/* --- Write batches ---------------------------------------------------------
 */

shale_writebatch_t* shale_writebatch_create(void) SHALE_NOEXCEPT;
void shale_writebatch_destroy(shale_writebatch_t* batch) SHALE_NOEXCEPT;
void shale_writebatch_clear(shale_writebatch_t* batch) SHALE_NOEXCEPT;
void shale_writebatch_put(shale_writebatch_t* batch, const char* key,
                          size_t klen, const char* val,
                          size_t vlen) SHALE_NOEXCEPT;
/* A put invisible to reads once the clock passes expire_at_ms
   (milliseconds since the Unix epoch); 0 means never. */
void shale_writebatch_put_expire_at(shale_writebatch_t* batch, const char* key,
                                    size_t klen, const char* val, size_t vlen,
                                    uint64_t expire_at_ms) SHALE_NOEXCEPT;
void shale_writebatch_delete(shale_writebatch_t* batch, const char* key,
                             size_t klen) SHALE_NOEXCEPT;
/* Number of updates in the batch. */
int shale_writebatch_count(const shale_writebatch_t* batch) SHALE_NOEXCEPT;
/* Calls put or deleted once per update, in order (expiry times are not
   passed: see shale_writebatch_iterate_expire_at). */
void shale_writebatch_iterate(const shale_writebatch_t* batch, void* state,
                              void (*put)(void*, const char* k, size_t klen,
                                          const char* v, size_t vlen),
                              void (*deleted)(void*, const char* k,
                                              size_t klen)) SHALE_NOEXCEPT;
/* The same, passing each put's expiry time (0: none). */
void shale_writebatch_iterate_expire_at(
    const shale_writebatch_t* batch, void* state,
    void (*put)(void*, const char* k, size_t klen, const char* v, size_t vlen,
                uint64_t expire_at_ms),
    void (*deleted)(void*, const char* k, size_t klen)) SHALE_NOEXCEPT;
/* Appends the updates of source (with their expiry) to destination. */
void shale_writebatch_append(shale_writebatch_t* destination,
                             const shale_writebatch_t* source) SHALE_NOEXCEPT;

/* --- Options (see include/shale/options.h for each default) -------------- */

shale_options_t* shale_options_create(void) SHALE_NOEXCEPT;
void shale_options_destroy(shale_options_t* options) SHALE_NOEXCEPT;
void shale_options_set_create_if_missing(shale_options_t* options,
                                         uint8_t v) SHALE_NOEXCEPT;
void shale_options_set_error_if_exists(shale_options_t* options,
                                       uint8_t v) SHALE_NOEXCEPT;
void shale_options_set_paranoid_checks(shale_options_t* options,
                                       uint8_t v) SHALE_NOEXCEPT;
/* The env must outlive every DB opened with these options. */
void shale_options_set_env(shale_options_t* options,
                           shale_env_t* env) SHALE_NOEXCEPT;
void shale_options_set_write_buffer_size(shale_options_t* options,
                                         size_t v) SHALE_NOEXCEPT;
void shale_options_set_max_write_buffer_number(shale_options_t* options,
                                               int v) SHALE_NOEXCEPT;
void shale_options_set_max_open_files(shale_options_t* options,
                                      int v) SHALE_NOEXCEPT;
/* The DB shares the cache (several DBs may); the cache object itself may
   be destroyed at any time, the DBs keep what they use alive. */
void shale_options_set_cache(shale_options_t* options,
                             shale_cache_t* cache) SHALE_NOEXCEPT;
/* Bytes of the block cache the DB creates when no cache is set. */
void shale_options_set_block_cache_capacity(shale_options_t* options,
                                            size_t v) SHALE_NOEXCEPT;
void shale_options_set_cache_index_and_filter_blocks(shale_options_t* options,
                                                     uint8_t v) SHALE_NOEXCEPT;
void shale_options_set_block_size(shale_options_t* options,
                                  size_t v) SHALE_NOEXCEPT;
void shale_options_set_block_restart_interval(shale_options_t* options,
                                              int v) SHALE_NOEXCEPT;
/* Table files are cut at about this size (Options::target_file_size). */
void shale_options_set_max_file_size(shale_options_t* options,
                                     size_t v) SHALE_NOEXCEPT;
/* Copies the policy's settings; NULL turns bloom filters off. */
void shale_options_set_filter_policy(
    shale_options_t* options, shale_filterpolicy_t* policy) SHALE_NOEXCEPT;
/* The values of LevelDB's (0, 1) and RocksDB's C API (4, 7). */
enum {
  shale_no_compression = 0,
  shale_snappy_compression = 1,
  shale_lz4_compression = 4,
  shale_zstd_compression = 7
};
/* An unknown value is reported by shale_open ("Invalid argument"). */
void shale_options_set_compression(shale_options_t* options,
                                   int v) SHALE_NOEXCEPT;
/* Compression of level i is level_values[i]; levels past the end use the
   last entry. num_levels == 0: shale_options_set_compression everywhere. */
void shale_options_set_compression_per_level(shale_options_t* options,
                                             const int* level_values,
                                             size_t num_levels) SHALE_NOEXCEPT;
/* The values of shale::WalRecoveryMode. */
enum {
  shale_tolerate_corrupted_tail_records_recovery = 0,
  shale_skip_any_corrupted_records_recovery = 1,
  shale_absolute_consistency_recovery = 2
};
void shale_options_set_wal_recovery_mode(shale_options_t* options,
                                         int v) SHALE_NOEXCEPT;
void shale_options_set_recycle_log_file_num(shale_options_t* options,
                                            size_t v) SHALE_NOEXCEPT;
void shale_options_set_enable_value_separation(shale_options_t* options,
                                               uint8_t v) SHALE_NOEXCEPT;
void shale_options_set_min_blob_size(shale_options_t* options,
                                     size_t v) SHALE_NOEXCEPT;
void shale_options_set_blob_gc_threshold(shale_options_t* options,
                                         double v) SHALE_NOEXCEPT;
void shale_options_set_max_background_jobs(shale_options_t* options,
                                           int v) SHALE_NOEXCEPT;
void shale_options_set_compaction_thread_nice(shale_options_t* options,
                                              int v) SHALE_NOEXCEPT;
void shale_options_set_level0_file_num_compaction_trigger(
    shale_options_t* options, int v) SHALE_NOEXCEPT;
void shale_options_set_level0_slowdown_writes_trigger(shale_options_t* options,
                                                      int v) SHALE_NOEXCEPT;
void shale_options_set_level0_stop_writes_trigger(shale_options_t* options,
                                                  int v) SHALE_NOEXCEPT;
void shale_options_set_max_bytes_for_level_base(shale_options_t* options,
                                                uint64_t v) SHALE_NOEXCEPT;
void shale_options_set_max_bytes_for_level_multiplier(shale_options_t* options,
                                                      double v) SHALE_NOEXCEPT;
void shale_options_set_max_mem_compaction_level(shale_options_t* options,
                                                int v) SHALE_NOEXCEPT;

/* A bloom filter of bits_per_key bits per key (10: about 1% false
   positives). Destroy it after setting it on the options. */
shale_filterpolicy_t* shale_filterpolicy_create_bloom(int bits_per_key)
    SHALE_NOEXCEPT;
void shale_filterpolicy_destroy(shale_filterpolicy_t* policy) SHALE_NOEXCEPT;

shale_readoptions_t* shale_readoptions_create(void) SHALE_NOEXCEPT;
void shale_readoptions_destroy(shale_readoptions_t* options) SHALE_NOEXCEPT;
void shale_readoptions_set_verify_checksums(shale_readoptions_t* options,
                                            uint8_t v) SHALE_NOEXCEPT;
void shale_readoptions_set_fill_cache(shale_readoptions_t* options,
                                      uint8_t v) SHALE_NOEXCEPT;
/* NULL reads the latest state. */
void shale_readoptions_set_snapshot(shale_readoptions_t* options,
                                    const shale_snapshot_t* snapshot)
    SHALE_NOEXCEPT;
/* An exclusive upper bound for iterators (copied); key NULL removes it. */
void shale_readoptions_set_iterate_upper_bound(shale_readoptions_t* options,
                                               const char* key,
                                               size_t keylen) SHALE_NOEXCEPT;

shale_writeoptions_t* shale_writeoptions_create(void) SHALE_NOEXCEPT;
void shale_writeoptions_destroy(shale_writeoptions_t* options) SHALE_NOEXCEPT;
void shale_writeoptions_set_sync(shale_writeoptions_t* options,
                                 uint8_t v) SHALE_NOEXCEPT;
/* Expiry of every shale_put made with these options, in milliseconds since
   the Unix epoch; 0 (the default) means never. */
void shale_writeoptions_set_expire_at_ms(shale_writeoptions_t* options,
                                         uint64_t v) SHALE_NOEXCEPT;

/* --- Caches and environments -----------------------------------------------
 */

/* A block cache of capacity bytes to share between DBs. Named after
   LevelDB's call; shale's cache evicts by CLOCK, an approximation of LRU
   (see shale::NewClockCache). */
shale_cache_t* shale_cache_create_lru(size_t capacity) SHALE_NOEXCEPT;
void shale_cache_destroy(shale_cache_t* cache) SHALE_NOEXCEPT;

/* The default (POSIX) environment; destroying it frees only the handle. */
shale_env_t* shale_create_default_env(void) SHALE_NOEXCEPT;
void shale_env_destroy(shale_env_t* env) SHALE_NOEXCEPT;

/* --- Utility ----------------------------------------------------------------
 */

/* Frees memory this library returned (values, property values, error
   messages). */
void shale_free(void* ptr) SHALE_NOEXCEPT;

int shale_major_version(void) SHALE_NOEXCEPT;
int shale_minor_version(void) SHALE_NOEXCEPT;

#ifdef __cplusplus
} /* end extern "C" */
#endif

#endif /* SHALE_INCLUDE_C_H_ */
