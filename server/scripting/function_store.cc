// The `functions` server metadata entry: a FUNCTION DUMP payload.
#include "server/scripting/function_store.h"

#include "server/keyspace/key_codec.h"
#include "server/rdb/function_payload.h"
#include "server/rdb/value_encoder.h"
#include "server/scripting/lua_engine.h"

namespace shale::server {

std::string EncodeFunctionSet(const FunctionSet& set, bool compress) {
  std::string out;
  for (const auto& [name, lib] : set.libraries()) {
    rdb::AppendFunction(&out, lib->code, compress);
  }
  rdb::AppendPayloadFooter(&out);
  return out;
}

bool LibrariesFromCodes(const std::vector<std::string>& codes, bool log,
                        FunctionSet* set, std::string* err) {
  LuaEngine* engine = LuaEngine::ForThread();
  for (const std::string& code : codes) {
    if (AddLibrary(set, code, false, engine, log, err) == nullptr) {
      return false;
    }
  }
  return true;
}

Status StoreFunctions(DB* db, const WriteOptions& wo, const FunctionSet& set) {
  return db->Put(wo, ServerMetaKey(kFunctionsName),
                 EncodeFunctionSet(set, true));
}

Status LoadStoredFunctions(DB* db, FunctionSet* set) {
  std::string v;
  Status s = db->Get(ReadOptions(), ServerMetaKey(kFunctionsName), &v);
  if (s.IsNotFound()) return Status::OK();
  if (!s.ok()) return s;
  std::vector<std::string> codes;
  std::string err;
  const bool decoded = rdb::DecodeFunctions(v, &codes, &err);
  if (!decoded || !LibrariesFromCodes(codes, false, set, &err)) {
    return Status::Corruption("stored function libraries", err);
  }
  return Status::OK();
}

}  // namespace shale::server
