// Opens a DB through the installed public API only, writes, reads back.
#include <shale/db.h>

#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: consumer DIR\n");
    return 2;
  }
  shale::Options options;
  options.create_if_missing = true;
  std::unique_ptr<shale::DB> db;
  shale::Status s = shale::DB::Open(options, argv[1], &db);
  if (!s.ok()) {
    std::fprintf(stderr, "open: %s\n", s.ToString().c_str());
    return 1;
  }
  s = db->Put(shale::WriteOptions(), "hello", "world");
  std::string value;
  if (s.ok()) s = db->Get(shale::ReadOptions(), "hello", &value);
  if (!s.ok() || value != "world") {
    std::fprintf(stderr, "put/get: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("consumer: ok\n");
  return 0;
}
