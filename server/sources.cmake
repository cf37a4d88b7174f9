# shale-server: the Redis, memcached and HTTP front ends over libshale.
# Dependencies are Debian packages (scripts/deps.sh): Boost (Asio, Beast),
# spdlog, toml++, CLI11, nlohmann-json.
find_package(Boost 1.74 REQUIRED)
find_package(spdlog REQUIRED)
find_package(tomlplusplus QUIET)
find_path(TOMLPP_INCLUDE_DIR toml++/toml.h REQUIRED)
find_path(CLI11_INCLUDE_DIR CLI/CLI.hpp REQUIRED)
find_package(nlohmann_json REQUIRED)
# Lua 5.1 and the cjson and bit libraries Redis's scripts load (Debian's
# liblua5.1-0-dev, lua-cjson-dev, lua-bitop-dev).
find_package(PkgConfig REQUIRED)
pkg_check_modules(LUA51 REQUIRED IMPORTED_TARGET lua5.1 lua5.1-cjson
  lua5.1-bitop)

add_library(shale_server_lib STATIC
  server/base64.cc
  server/config.cc
  server/config_keys.cc
  server/config_params.cc
  server/config_special.cc
  server/config_rewrite.cc
  server/http/http_api.cc
  server/http/http_framing.cc
  server/http/http_response.cc
  server/http/http_session.cc
  server/http/http_pause.cc
  server/http/http_stats.cc
  server/info.cc
  server/live_config.cc
  server/server.cc
  server/server_state.cc
  server/scripting/function_library.cc
  server/scripting/function_registry.cc
  server/scripting/function_store.cc
  server/scripting/lua_cmsgpack.cc
  server/scripting/lua_engine.cc
  server/scripting/lua_functions.cc
  server/scripting/lua_redis_api.cc
  server/scripting/lua_reply.cc
  server/scripting/lua_sandbox.cc
  server/scripting/lua_struct.cc
  server/scripting/script_cache.cc
  server/util/sha1.cc
  server/keyspace/keyspace.cc
  server/keyspace/collection.cc
  server/keyspace/list.cc
  server/keyspace/element_iterator.cc
  server/keyspace/element_writes.cc
  server/keyspace/batch_dedup.cc
  server/keyspace/data_dir.cc
  server/keyspace/db_table.cc
  server/keyspace/expirer.cc
  server/keyspace/notifier.cc
  server/keyspace/server_filter.cc
  server/keyspace/key_codec.cc
  server/keyspace/legacy_value.cc
  server/keyspace/meta_codec.cc
  server/keyspace/tx.cc
  server/keyspace/wal_syncer.cc
  server/keyspace/zset.cc
  server/keyspace/stream.cc
  server/keyspace/stream_group.cc
  server/memcache/mc_meta.cc
  server/memcache/mc_session.cc
  server/memcache/mc_pause.cc
  server/net/connection.cc
  server/net/io_pool.cc
  server/net/listener.cc
  server/net/registry.cc
  server/protocol/memcache/mc_parser.cc
  server/protocol/resp/resp_parser.cc
  server/protocol/resp/resp_writer.cc
  server/pubsub/pubsub.cc
  server/pubsub/subscriptions.cc
  server/redis/cmd_bitfield.cc
  server/redis/cmd_bits.cc
  server/redis/cmd_config.cc
  server/redis/cmd_keys.cc
  server/redis/cmd_dump.cc
  server/redis/dump_stream.cc
  server/redis/cmd_function.cc
  server/rdb/crc64.cc
  server/rdb/function_payload.cc
  server/rdb/intset_zipmap_reader.cc
  server/rdb/listpack_reader.cc
  server/rdb/lzf.cc
  server/rdb/stream_decoder.cc
  server/rdb/stream_encoder.cc
  server/rdb/value_decoder.cc
  server/rdb/value_encoder.cc
  server/rdb/ziplist_reader.cc
  server/redis/cmd_lcs.cc
  server/redis/cmd_multi.cc
  server/redis/cmd_pubsub.cc
  server/redis/cmd_slowlog.cc
  server/redis/cmd_server.cc
  server/redis/cmd_string.cc
  server/redis/cmd_hash.cc
  server/redis/cmd_set.cc
  server/redis/cmd_set_ops.cc
  server/redis/cmd_zset.cc
  server/redis/cmd_zset_ops.cc
  server/redis/cmd_zset_pop.cc
  server/redis/cmd_zset_range.cc
  server/redis/zset_cmd.cc
  server/redis/cmd_list.cc
  server/redis/cmd_list_edit.cc
  server/redis/cmd_script.cc
  server/redis/cmd_sort.cc
  server/redis/cmd_blocking.cc
  server/redis/cmd_stream.cc
  server/redis/cmd_stream_read.cc
  server/redis/cmd_stream_info.cc
  server/redis/cmd_stream_group.cc
  server/redis/cmd_stream_claim.cc
  server/redis/stream_cmd.cc
  server/redis/blocking.cc
  server/redis/collection_cmd.cc
  server/redis/command.cc
  server/redis/command_stats.cc
  server/redis/slowlog.cc
  server/redis/resp_session.cc
  server/redis/resp_session_block.cc
  server/redis/resp_session_pause.cc
  server/redis/client_pause.cc
  server/redis/pause_hold.cc
  server/redis/cmd_client.cc
  server/redis/monitor.cc
  server/redis/monitor_registry.cc
  server/redis/get_batch.cc
  server/redis/set_batch.cc
  server/redis/watch.cc
  server/util/glob.cc
)
# src/ for the engine's header-only util/mutex.h (annotated locks).
target_include_directories(shale_server_lib PUBLIC ${CMAKE_SOURCE_DIR}
  ${CMAKE_SOURCE_DIR}/src ${TOMLPP_INCLUDE_DIR} ${CLI11_INCLUDE_DIR})
target_compile_definitions(shale_server_lib PUBLIC
  BOOST_ASIO_NO_DEPRECATED BOOST_BEAST_USE_STD_STRING_VIEW)
# LZF for RDB strings (server/rdb/lzf.h): Debian's liblzf, as its
# redis-server links.
pkg_check_modules(LZF REQUIRED IMPORTED_TARGET liblzf)
target_link_libraries(shale_server_lib PUBLIC shale Boost::headers
  spdlog::spdlog nlohmann_json::nlohmann_json Threads::Threads PkgConfig::LZF
  PkgConfig::LUA51)

add_executable(shale_server server/main.cc)
target_link_libraries(shale_server PRIVATE shale_server_lib)
set_target_properties(shale_server PROPERTIES OUTPUT_NAME shale-server
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})

# Unit tests of the parsers and formats (the wire tests are tests/server/,
# run by `make test-server`).
if(SHALE_BUILD_TESTS)
  find_package(GTest REQUIRED)
  include(GoogleTest)
  add_executable(server_tests
    server/http/http_framing_test.cc
    server/keyspace/data_dir_test.cc
    server/keyspace/expirer_test.cc
    server/keyspace/notifier_test.cc
    server/keyspace/server_filter_test.cc
    server/keyspace/key_codec_test.cc
    server/keyspace/legacy_value_test.cc
    server/keyspace/tx_test.cc
    server/keyspace/batch_dedup_test.cc
    server/keyspace/collection_test.cc
    server/keyspace/zset_test.cc
    server/keyspace/list_test.cc
    server/keyspace/stream_test.cc
    server/keyspace/stream_group_test.cc
    server/keyspace/wal_syncer_test.cc
    server/redis/command_keys_test.cc
    server/redis/set_batch_test.cc
    server/redis/notify_events_test.cc
    server/net/connection_test.cc
    server/protocol/memcache/mc_parser_test.cc
    server/protocol/resp/resp_parser_test.cc
    server/util/glob_test.cc
    server/rdb/rdb_test.cc
    server/rdb/stream_rdb_test.cc
    server/scripting/function_store_test.cc
  )
  target_link_libraries(server_tests PRIVATE shale_server_lib GTest::gtest
    GTest::gtest_main)
  # The engine's in-memory Env (util/mem_env.h), for power-loss tests.
  target_include_directories(server_tests PRIVATE ${CMAKE_SOURCE_DIR}/src)
  gtest_discover_tests(server_tests DISCOVERY_TIMEOUT 60)
endif()

# Parse benchmark (no sockets, no engine).
add_executable(server_parse_bench server/protocol/parse_bench.cc)
target_link_libraries(server_parse_bench PRIVATE shale_server_lib)
set_target_properties(server_parse_bench PROPERTIES
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})

# libFuzzer targets, one per parser: cmake -DSHALE_BUILD_FUZZ=ON with clang.
option(SHALE_BUILD_FUZZ "Build the server's parser fuzz targets (clang)" OFF)
if(SHALE_BUILD_FUZZ)
  # The parser's own source is compiled into the target, so that it carries
  # the fuzzer's coverage instrumentation.
  add_executable(resp_parser_fuzz server/protocol/resp/resp_parser_fuzz.cc
    server/protocol/resp/resp_parser.cc)
  add_executable(mc_parser_fuzz server/protocol/memcache/mc_parser_fuzz.cc
    server/protocol/memcache/mc_parser.cc)
  foreach(target resp_parser_fuzz mc_parser_fuzz)
    target_include_directories(${target} PRIVATE ${CMAKE_SOURCE_DIR})
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer,address)
    target_link_options(${target} PRIVATE -fsanitize=fuzzer,address)
    set_target_properties(${target} PROPERTIES
      RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
  endforeach()
endif()
