// For tests: a Keyspace over an engine DB in the engine's in-memory Env.
#ifndef SHALE_SERVER_KEYSPACE_MEM_KEYSPACE_TEST_UTIL_H_
#define SHALE_SERVER_KEYSPACE_MEM_KEYSPACE_TEST_UTIL_H_

#include <memory>

#include "server/keyspace/keyspace.h"
#include "util/mem_env.h"

namespace shale::server {

// Opens db_ and ks_ (with `databases` databases, fsync no) in env_.
inline Status OpenMemKeyspace(MemEnv* env, int databases,
                              std::unique_ptr<DB>* db,
                              std::unique_ptr<Keyspace>* ks) {
  Options options;
  options.create_if_missing = true;
  options.env = env;
  Status s = DB::Open(options, "/db", db);
  if (!s.ok()) return s;
  return Keyspace::Open(db->get(), FsyncPolicy::kNo, databases, ks);
}

}  // namespace shale::server

#endif  // SHALE_SERVER_KEYSPACE_MEM_KEYSPACE_TEST_UTIL_H_
