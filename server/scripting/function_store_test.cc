// The stored function libraries (function_store.h): a round trip through
// the `functions` entry, an empty DB, and what makes a start fail.
#include "server/scripting/function_store.h"

#include <gtest/gtest.h>

#include "server/keyspace/key_codec.h"
#include "server/rdb/function_payload.h"
#include "server/rdb/value_encoder.h"
#include "server/scripting/lua_engine.h"
#include "util/mem_env.h"

namespace shale::server {
namespace {

class FunctionStoreTest : public testing::Test {
 protected:
  void SetUp() override {
    Options options;
    options.create_if_missing = true;
    options.env = &env_;
    Status s = DB::Open(options, "/db", &db_);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  // Adds code to set, expecting it to load.
  static void Add(FunctionSet* set, const std::string& code) {
    std::string err;
    ASSERT_NE(AddLibrary(set, code, false, LuaEngine::ForThread(), false, &err),
              nullptr)
        << err;
  }

  void PutEntry(const std::vector<std::string>& codes) {
    std::string v;
    for (const std::string& c : codes) rdb::AppendFunction(&v, c, true);
    rdb::AppendPayloadFooter(&v);
    ASSERT_TRUE(
        db_->Put(WriteOptions(), ServerMetaKey(kFunctionsName), v).ok());
  }

  MemEnv env_;
  std::unique_ptr<DB> db_;
};

TEST_F(FunctionStoreTest, NoEntryIsNoLibraries) {
  FunctionSet set;
  ASSERT_TRUE(LoadStoredFunctions(db_.get(), &set).ok());
  EXPECT_TRUE(set.libraries().empty());
}

TEST_F(FunctionStoreTest, RoundTrip) {
  FunctionSet set;
  Add(&set,
      "#!lua name=zeta\n"
      "redis.register_function{function_name='z1', description='the z', "
      "flags={'no-writes', 'allow-oom'}, callback=function() return 1 end}\n"
      "redis.register_function('z0', function() return 0 end)");
  Add(&set, "#!lua name=alpha\nredis.register_function('a', function() end)");
  ASSERT_TRUE(StoreFunctions(db_.get(), WriteOptions(), set).ok());

  FunctionSet back;
  Status s = LoadStoredFunctions(db_.get(), &back);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(back.libraries().size(), 2u);
  for (const auto& [name, lib] : set.libraries()) {
    auto it = back.libraries().find(name);
    ASSERT_NE(it, back.libraries().end()) << name;
    const Library& b = *it->second;
    EXPECT_EQ(b.code, lib->code);
    ASSERT_EQ(b.functions.size(), lib->functions.size());
    for (size_t i = 0; i < b.functions.size(); i++) {
      EXPECT_EQ(b.functions[i].name, lib->functions[i].name);
      EXPECT_EQ(b.functions[i].description, lib->functions[i].description);
      EXPECT_EQ(b.functions[i].flags, lib->functions[i].flags);
    }
  }
  const FunctionSet::Entry* z1 = back.Find("Z1");
  ASSERT_NE(z1, nullptr);
  EXPECT_EQ(z1->library->name, "zeta");
  EXPECT_EQ(z1->def->flags, kFnNoWrites | kFnAllowOom);
  EXPECT_EQ(z1->def->description, "the z");
  EXPECT_EQ(back.function_count(), 3u);
  // The entry is the FUNCTION DUMP payload of the libraries, by name.
  std::string v;
  ASSERT_TRUE(db_->Get(ReadOptions(), ServerMetaKey(kFunctionsName), &v).ok());
  EXPECT_EQ(v, EncodeFunctionSet(set, true));
  std::vector<std::string> codes;
  std::string err;
  ASSERT_TRUE(rdb::DecodeFunctions(v, &codes, &err)) << err;
  ASSERT_EQ(codes.size(), 2u);
  EXPECT_TRUE(codes[0].starts_with("#!lua name=alpha\n"));
}

TEST_F(FunctionStoreTest, EmptySetIsTheFooterAlone) {
  ASSERT_TRUE(StoreFunctions(db_.get(), WriteOptions(), FunctionSet()).ok());
  std::string v;
  ASSERT_TRUE(db_->Get(ReadOptions(), ServerMetaKey(kFunctionsName), &v).ok());
  EXPECT_EQ(v.size(), 10u);
  FunctionSet back;
  ASSERT_TRUE(LoadStoredFunctions(db_.get(), &back).ok());
  EXPECT_TRUE(back.libraries().empty());
}

TEST_F(FunctionStoreTest, ALibraryThatDoesNotLoadFailsTheStart) {
  PutEntry({"#!lua name=ok\nredis.register_function('f', function() end)",
            "#!lua name=bad\nreturn +"});
  FunctionSet set;
  Status s = LoadStoredFunctions(db_.get(), &set);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.ToString().find("Error compiling function: user_function:2:"),
            std::string::npos)
      << s.ToString();

  PutEntry({"#!lua name=a\nredis.register_function('f', function() end)",
            "#!lua name=b\nredis.register_function('F', function() end)"});
  FunctionSet fresh;
  s = LoadStoredFunctions(db_.get(), &fresh);
  EXPECT_NE(s.ToString().find("Function F already exists"), std::string::npos)
      << s.ToString();
}

TEST_F(FunctionStoreTest, AnEntryThatDoesNotDecodeFailsTheStart) {
  ASSERT_TRUE(
      db_->Put(WriteOptions(), ServerMetaKey(kFunctionsName), "garbage").ok());
  FunctionSet set;
  Status s = LoadStoredFunctions(db_.get(), &set);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.ToString().find("checksum"), std::string::npos) << s.ToString();
}

}  // namespace
}  // namespace shale::server
