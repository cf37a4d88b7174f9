/* Opens a DB through the installed C API only, writes, reads back. */
#include <shale/c.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char** argv) {
  char* err = NULL;
  shale_options_t* options;
  shale_writeoptions_t* woptions;
  shale_readoptions_t* roptions;
  shale_t* db;
  char* value;
  size_t len = 0;
  int ok;
  if (argc != 2) {
    fprintf(stderr, "usage: c_consumer DIR\n");
    return 2;
  }
  options = shale_options_create();
  shale_options_set_create_if_missing(options, 1);
  db = shale_open(options, argv[1], &err);
  shale_options_destroy(options);
  if (err != NULL) {
    fprintf(stderr, "open: %s\n", err);
    shale_free(err);
    return 1;
  }
  woptions = shale_writeoptions_create();
  roptions = shale_readoptions_create();
  shale_put(db, woptions, "hello", 5, "world", 5, &err);
  value = err == NULL ? shale_get(db, roptions, "hello", 5, &len, &err) : NULL;
  ok = err == NULL && value != NULL && len == 5 &&
       memcmp(value, "world", 5) == 0;
  if (!ok) fprintf(stderr, "put/get: %s\n", err != NULL ? err : "wrong value");
  shale_free(value);
  shale_free(err);
  shale_writeoptions_destroy(woptions);
  shale_readoptions_destroy(roptions);
  shale_close(db);
  if (!ok) return 1;
  printf("c_consumer: ok\n");
  return 0;
}
