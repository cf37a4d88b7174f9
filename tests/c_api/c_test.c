/* Exercises every function of include/shale/c.h from C99 (built with
   -std=c99 -Wall -Werror). Usage: c_test DIR, DIR a fresh scratch
   directory; the test makes and removes DBs beneath it. */
#include "shale/c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char* phase = "";
static int failures = 0;

#define CHECK(cond)                                                        \
  do {                                                                     \
    if (!(cond)) {                                                         \
      fprintf(stderr, "%s:%d: %s: check failed: %s\n", __FILE__, __LINE__, \
              phase, #cond);                                               \
      failures++;                                                          \
    }                                                                      \
  } while (0)

#define CHECK_NO_ERROR(err)                                                    \
  do {                                                                         \
    if ((err) != NULL) {                                                       \
      fprintf(stderr, "%s:%d: %s: unexpected error: %s\n", __FILE__, __LINE__, \
              phase, (err));                                                   \
      exit(1);                                                                 \
    }                                                                          \
  } while (0)

static void StartPhase(const char* name) {
  fprintf(stderr, "=== c_test: %s\n", name);
  phase = name;
}

/* The value of key must be expected (NULL: absent). */
static void CheckGet(shale_t* db, const shale_readoptions_t* ro,
                     const char* key, const char* expected) {
  char* err = NULL;
  size_t len = 12345;
  char* val = shale_get(db, ro, key, strlen(key), &len, &err);
  CHECK_NO_ERROR(err);
  if (expected == NULL) {
    CHECK(val == NULL);
    CHECK(len == 0);
  } else {
    CHECK(val != NULL);
    CHECK(val != NULL && len == strlen(expected) &&
          memcmp(val, expected, len) == 0);
  }
  shale_free(val);
}

static void CheckIter(const shale_iterator_t* iter, const char* key,
                      const char* value) {
  size_t len;
  const char* p;
  CHECK(shale_iter_valid(iter));
  if (!shale_iter_valid(iter)) return;
  p = shale_iter_key(iter, &len);
  CHECK(len == strlen(key) && memcmp(p, key, len) == 0);
  p = shale_iter_value(iter, &len);
  CHECK(len == strlen(value) && memcmp(p, value, len) == 0);
}

/* Records what shale_writebatch_iterate* report, as "P<k>=<v>@<t>;" and
   "D<k>;". */
struct Trace {
  char text[256];
};

static void Append(struct Trace* t, const char* p, size_t n) {
  size_t used = strlen(t->text);
  if (used + n + 1 > sizeof(t->text)) n = sizeof(t->text) - used - 1;
  memcpy(t->text + used, p, n);
  t->text[used + n] = '\0';
}

static void TracePut(void* state, const char* k, size_t klen, const char* v,
                     size_t vlen) {
  struct Trace* t = (struct Trace*)state;
  Append(t, "P", 1);
  Append(t, k, klen);
  Append(t, "=", 1);
  Append(t, v, vlen);
  Append(t, ";", 1);
}

static void TracePutExpire(void* state, const char* k, size_t klen,
                           const char* v, size_t vlen, uint64_t expire_at_ms) {
  char number[32];
  struct Trace* t = (struct Trace*)state;
  snprintf(number, sizeof(number), "@%llu", (unsigned long long)expire_at_ms);
  TracePut(state, k, klen, v, vlen);
  t->text[strlen(t->text) - 1] = '\0'; /* drop the ';' */
  Append(t, number, strlen(number));
  Append(t, ";", 1);
}

static void TraceDelete(void* state, const char* k, size_t klen) {
  struct Trace* t = (struct Trace*)state;
  Append(t, "D", 1);
  Append(t, k, klen);
  Append(t, ";", 1);
}

int main(int argc, char** argv) {
  char dbname[4096];
  char dbname2[4096];
  char* err = NULL;
  shale_t* db;
  shale_options_t* options;
  shale_readoptions_t* roptions;
  shale_writeoptions_t* woptions;
  shale_cache_t* cache;
  shale_env_t* env;
  shale_filterpolicy_t* policy;
  int per_level[3] = {shale_no_compression, shale_lz4_compression,
                      shale_zstd_compression};

  if (argc != 2) {
    fprintf(stderr, "usage: c_test DIR\n");
    return 2;
  }
  snprintf(dbname, sizeof(dbname), "%s/db", argv[1]);
  snprintf(dbname2, sizeof(dbname2), "%s/db2", argv[1]);

  StartPhase("version");
  CHECK(shale_major_version() >= 0);
  CHECK(shale_minor_version() >= 0);

  StartPhase("create_objects");
  cache = shale_cache_create_lru(1 << 20);
  env = shale_create_default_env();
  policy = shale_filterpolicy_create_bloom(10);
  options = shale_options_create();
  shale_options_set_error_if_exists(options, 1);
  shale_options_set_cache(options, cache);
  shale_options_set_block_cache_capacity(options, 1 << 20);
  shale_options_set_cache_index_and_filter_blocks(options, 1);
  shale_options_set_env(options, env);
  shale_options_set_filter_policy(options, policy);
  shale_filterpolicy_destroy(policy); /* the options copied it */
  shale_options_set_write_buffer_size(options, 100000);
  shale_options_set_max_write_buffer_number(options, 3);
  shale_options_set_paranoid_checks(options, 1);
  shale_options_set_max_open_files(options, 10);
  shale_options_set_block_size(options, 1024);
  shale_options_set_block_restart_interval(options, 8);
  shale_options_set_max_file_size(options, 1 << 20);
  shale_options_set_compression(options, shale_snappy_compression);
  shale_options_set_compression_per_level(options, per_level, 3);
  shale_options_set_wal_recovery_mode(
      options, shale_tolerate_corrupted_tail_records_recovery);
  shale_options_set_recycle_log_file_num(options, 1);
  shale_options_set_enable_value_separation(options, 1);
  shale_options_set_min_blob_size(options, 64);
  shale_options_set_blob_gc_threshold(options, 0.5);
  shale_options_set_max_background_jobs(options, 2);
  shale_options_set_compaction_thread_nice(options, 0);
  shale_options_set_level0_file_num_compaction_trigger(options, 4);
  shale_options_set_level0_slowdown_writes_trigger(options, 20);
  shale_options_set_level0_stop_writes_trigger(options, 36);
  shale_options_set_max_bytes_for_level_base(options, 10 << 20);
  shale_options_set_max_bytes_for_level_multiplier(options, 10);
  shale_options_set_max_mem_compaction_level(options, 2);
  roptions = shale_readoptions_create();
  shale_readoptions_set_verify_checksums(roptions, 1);
  shale_readoptions_set_fill_cache(roptions, 0);
  woptions = shale_writeoptions_create();
  shale_writeoptions_set_sync(woptions, 1);

  StartPhase("destroy");
  shale_destroy_db(options, dbname, &err);
  CHECK_NO_ERROR(err);

  StartPhase("open_error");
  db = shale_open(options, dbname, &err);
  CHECK(db == NULL);
  CHECK(err != NULL && strncmp(err, "Invalid argument: ", 18) == 0);
  shale_free(err);
  err = NULL;

  StartPhase("bad_enum");
  shale_options_set_create_if_missing(options, 1);
  shale_options_set_compression(options, 99);
  db = shale_open(options, dbname, &err);
  CHECK(db == NULL);
  CHECK(err != NULL && strstr(err, "compression") != NULL);
  /* A second failure replaces (frees) the first message. */
  db = shale_open(options, dbname, &err);
  CHECK(db == NULL && err != NULL);
  shale_free(err);
  err = NULL;
  shale_options_destroy(options);

  StartPhase("open");
  options = shale_options_create();
  shale_options_set_create_if_missing(options, 1);
  shale_options_set_cache(options, cache);
  shale_options_set_write_buffer_size(options, 100000);
  shale_options_set_wal_recovery_mode(options,
                                      shale_absolute_consistency_recovery);
  shale_options_set_wal_recovery_mode(
      options, shale_skip_any_corrupted_records_recovery);
  db = shale_open(options, dbname, &err);
  CHECK_NO_ERROR(err);
  CheckGet(db, roptions, "foo", NULL);

  StartPhase("busy");
  {
    shale_t* second = shale_open(options, dbname, &err);
    CHECK(second == NULL);
    CHECK(err != NULL && strncmp(err, "Busy: ", 6) == 0);
    shale_free(err);
    err = NULL;
    shale_destroy_db(options, dbname, &err);
    CHECK(err != NULL);
    shale_free(err);
    err = NULL;
  }

  StartPhase("put");
  shale_put(db, woptions, "foo", 3, "hello", 5, &err);
  CHECK_NO_ERROR(err);
  CheckGet(db, roptions, "foo", "hello");
  shale_put(db, woptions, "empty", 5, "", 0, &err);
  CHECK_NO_ERROR(err);
  CheckGet(db, roptions, "empty", "");
  shale_put(db, woptions, "bin\0ary", 7, "v\0v", 3, &err);
  CHECK_NO_ERROR(err);
  {
    size_t len;
    char* val = shale_get(db, roptions, "bin\0ary", 7, &len, &err);
    CHECK_NO_ERROR(err);
    CHECK(val != NULL && len == 3 && memcmp(val, "v\0v", 3) == 0);
    shale_free(val);
  }
  shale_delete(db, woptions, "bin\0ary", 7, &err);
  CHECK_NO_ERROR(err);
  shale_delete(db, woptions, "empty", 5, &err);
  CHECK_NO_ERROR(err);

  StartPhase("expiry");
  {
    shale_writeoptions_t* expiring = shale_writeoptions_create();
    shale_writeoptions_set_expire_at_ms(expiring, 1); /* long past */
    shale_put(db, expiring, "gone", 4, "x", 1, &err);
    CHECK_NO_ERROR(err);
    CheckGet(db, roptions, "gone", NULL);
    shale_writeoptions_set_expire_at_ms(expiring, 0);
    shale_put(db, expiring, "stays", 5, "y", 1, &err);
    CHECK_NO_ERROR(err);
    CheckGet(db, roptions, "stays", "y");
    shale_delete(db, expiring, "stays", 5, &err);
    CHECK_NO_ERROR(err);
    shale_writeoptions_destroy(expiring);
  }

  StartPhase("compactall");
  shale_compact_range(db, NULL, 0, NULL, 0);
  CheckGet(db, roptions, "foo", "hello");

  StartPhase("compactrange");
  shale_compact_range(db, "a", 1, "z", 1);
  shale_compact_range_gc(db, "a", 1, NULL, 0, 1, &err);
  CHECK_NO_ERROR(err);
  CheckGet(db, roptions, "foo", "hello");

  StartPhase("writebatch");
  {
    struct Trace trace;
    shale_writebatch_t* wb = shale_writebatch_create();
    shale_writebatch_t* wb2 = shale_writebatch_create();
    shale_writebatch_put(wb, "foo", 3, "a", 1);
    shale_writebatch_clear(wb);
    CHECK(shale_writebatch_count(wb) == 0);
    shale_writebatch_put(wb, "bar", 3, "b", 1);
    shale_writebatch_put(wb, "box", 3, "c", 1);
    shale_writebatch_delete(wb, "bar", 3);
    shale_writebatch_put_expire_at(wb2, "tmp", 3, "t", 1, 1);
    shale_writebatch_append(wb, wb2);
    CHECK(shale_writebatch_count(wb) == 4);
    shale_write(db, woptions, wb, &err);
    CHECK_NO_ERROR(err);
    CheckGet(db, roptions, "foo", "hello");
    CheckGet(db, roptions, "bar", NULL);
    CheckGet(db, roptions, "box", "c");
    CheckGet(db, roptions, "tmp", NULL);
    trace.text[0] = '\0';
    shale_writebatch_iterate(wb, &trace, TracePut, TraceDelete);
    CHECK(strcmp(trace.text, "Pbar=b;Pbox=c;Dbar;Ptmp=t;") == 0);
    trace.text[0] = '\0';
    shale_writebatch_iterate_expire_at(wb, &trace, TracePutExpire, TraceDelete);
    CHECK(strcmp(trace.text, "Pbar=b@0;Pbox=c@0;Dbar;Ptmp=t@1;") == 0);
    shale_writebatch_destroy(wb);
    shale_writebatch_destroy(wb2);
  }

  StartPhase("iter");
  {
    shale_iterator_t* iter = shale_create_iterator(db, roptions);
    CHECK(!shale_iter_valid(iter));
    shale_iter_seek_to_first(iter);
    CheckIter(iter, "box", "c");
    shale_iter_next(iter);
    CheckIter(iter, "foo", "hello");
    shale_iter_prev(iter);
    CheckIter(iter, "box", "c");
    shale_iter_prev(iter);
    CHECK(!shale_iter_valid(iter));
    shale_iter_seek_to_last(iter);
    CheckIter(iter, "foo", "hello");
    shale_iter_seek(iter, "b", 1);
    CheckIter(iter, "box", "c");
    shale_iter_seek_for_prev(iter, "g", 1);
    CheckIter(iter, "foo", "hello");
    shale_iter_seek_for_prev(iter, "a", 1);
    CHECK(!shale_iter_valid(iter));
    shale_iter_get_error(iter, &err);
    CHECK_NO_ERROR(err);
    shale_iter_destroy(iter);
  }

  StartPhase("upper_bound");
  {
    shale_readoptions_t* bounded = shale_readoptions_create();
    shale_iterator_t* iter;
    shale_readoptions_set_iterate_upper_bound(bounded, "foo", 3);
    iter = shale_create_iterator(db, bounded);
    /* The iterator keeps its own copy of the bound. */
    shale_readoptions_destroy(bounded);
    shale_iter_seek_to_first(iter);
    CheckIter(iter, "box", "c");
    shale_iter_next(iter);
    CHECK(!shale_iter_valid(iter));
    shale_iter_destroy(iter);
    bounded = shale_readoptions_create();
    shale_readoptions_set_iterate_upper_bound(bounded, "foo", 3);
    shale_readoptions_set_iterate_upper_bound(bounded, NULL, 0);
    iter = shale_create_iterator(db, bounded);
    shale_iter_seek_to_last(iter);
    CheckIter(iter, "foo", "hello");
    shale_iter_destroy(iter);
    shale_readoptions_destroy(bounded);
  }

  StartPhase("multiget");
  {
    const char* keys[3] = {"box", "foo", "notfound"};
    size_t keys_sizes[3] = {3, 3, 8};
    char* vals[3];
    size_t vals_sizes[3];
    char* errs[3];
    size_t i;
    shale_multi_get(db, roptions, 3, keys, keys_sizes, vals, vals_sizes, errs);
    for (i = 0; i < 3; i++) CHECK_NO_ERROR(errs[i]);
    CHECK(vals[0] != NULL && vals_sizes[0] == 1 &&
          memcmp(vals[0], "c", 1) == 0);
    CHECK(vals[1] != NULL && vals_sizes[1] == 5 &&
          memcmp(vals[1], "hello", 5) == 0);
    CHECK(vals[2] == NULL && vals_sizes[2] == 0);
    for (i = 0; i < 3; i++) shale_free(vals[i]);
    shale_multi_get(db, roptions, 0, keys, keys_sizes, vals, vals_sizes, errs);
  }

  StartPhase("snapshot");
  {
    const shale_snapshot_t* snap = shale_create_snapshot(db);
    shale_readoptions_t* at_snap = shale_readoptions_create();
    char* prop;
    shale_delete(db, woptions, "foo", 3, &err);
    CHECK_NO_ERROR(err);
    shale_readoptions_set_snapshot(at_snap, snap);
    CheckGet(db, at_snap, "foo", "hello");
    prop = shale_property_value(db, "shale.num-snapshots");
    CHECK(prop != NULL && strcmp(prop, "1") == 0);
    shale_free(prop);
    shale_readoptions_set_snapshot(at_snap, NULL);
    CheckGet(db, at_snap, "foo", NULL);
    shale_readoptions_destroy(at_snap);
    shale_release_snapshot(db, snap);
  }

  StartPhase("flush_and_sync");
  shale_put(db, woptions, "durable", 7, "d", 1, &err);
  CHECK_NO_ERROR(err);
  shale_flush(db, &err);
  CHECK_NO_ERROR(err);
  shale_sync_wal(db, &err);
  CHECK_NO_ERROR(err);
  shale_wait_for_compactions(db, &err);
  CHECK_NO_ERROR(err);
  shale_resume(db, &err);
  CHECK_NO_ERROR(err);

  StartPhase("properties");
  {
    char* prop = shale_property_value(db, "nosuchprop");
    CHECK(prop == NULL);
    prop = shale_property_value(db, "shale.stats");
    CHECK(prop != NULL && strlen(prop) > 0);
    shale_free(prop);
    prop = shale_property_value(db, "shale.num-files-at-level0");
    CHECK(prop != NULL);
    shale_free(prop);
  }

  StartPhase("stats");
  {
    shale_stats_t* stats = shale_stats_create(db);
    double value = -1;
    size_t i;
    CHECK(shale_stats_count(stats) > 0);
    for (i = 1; i < shale_stats_count(stats); i++) {
      CHECK(strcmp(shale_stats_name(stats, i - 1), shale_stats_name(stats, i)) <
            0);
    }
    CHECK(shale_stats_get(stats, "user_bytes_written", &value) == 1);
    CHECK(value > 0);
    for (i = 0; i < shale_stats_count(stats); i++) {
      if (strcmp(shale_stats_name(stats, i), "user_bytes_written") == 0) {
        CHECK(shale_stats_value(stats, i) == value);
      }
    }
    value = -1;
    CHECK(shale_stats_get(stats, "no.such.stat", &value) == 0);
    CHECK(value == -1);
    shale_stats_destroy(stats);
  }

  StartPhase("reopen");
  shale_close(db);
  db = shale_open(options, dbname, &err);
  CHECK_NO_ERROR(err);
  CheckGet(db, roptions, "durable", "d");
  CheckGet(db, roptions, "box", "c");
  CheckGet(db, roptions, "foo", NULL);

  StartPhase("checkpoint");
  {
    char ckptname[4096];
    shale_t* ckpt;
    snprintf(ckptname, sizeof(ckptname), "%s/ckpt", argv[1]);
    shale_checkpoint_create(db, ckptname, &err);
    CHECK_NO_ERROR(err);
    shale_checkpoint_create(db, ckptname, &err); /* exists now */
    CHECK(err != NULL && strstr(err, "Invalid argument") != NULL);
    shale_free(err);
    err = NULL;
    shale_put(db, woptions, "after", 5, "x", 1, &err);
    CHECK_NO_ERROR(err);
    ckpt = shale_open(options, ckptname, &err);
    CHECK_NO_ERROR(err);
    CheckGet(ckpt, roptions, "durable", "d");
    CheckGet(ckpt, roptions, "box", "c");
    CheckGet(ckpt, roptions, "after", NULL);
    shale_close(ckpt);
    shale_destroy_db(options, ckptname, &err);
    CHECK_NO_ERROR(err);
  }

  StartPhase("shared_cache");
  {
    shale_t* db2 = shale_open(options, dbname2, &err);
    CHECK_NO_ERROR(err);
    /* Both DBs hold the cache: destroying the handle frees neither. */
    shale_cache_destroy(cache);
    shale_put(db2, woptions, "k", 1, "v", 1, &err);
    CHECK_NO_ERROR(err);
    CheckGet(db2, roptions, "k", "v");
    shale_close(db2);
    shale_destroy_db(options, dbname2, &err);
    CHECK_NO_ERROR(err);
  }

  StartPhase("cleanup");
  shale_close(db);
  shale_destroy_db(options, dbname, &err);
  CHECK_NO_ERROR(err);
  shale_options_destroy(options);
  shale_readoptions_destroy(roptions);
  shale_writeoptions_destroy(woptions);
  shale_env_destroy(env);

  if (failures > 0) {
    fprintf(stderr, "c_test: %d checks failed\n", failures);
    return 1;
  }
  fprintf(stderr, "c_test: PASS\n");
  return 0;
}
