# libFuzzer targets (docs/testing.md): configure with clang and
#   -DSHALE_BUILD_FUZZ=ON -DSHALE_SANITIZE="address;undefined"
# (`make fuzz` / `make fuzz-short` do). Seed corpora live in
# fuzz/corpus/<target>/. The RESP and memcached parser targets are defined
# by server/sources.cmake under the same option; their corpora are here too.
option(SHALE_BUILD_FUZZ "Build the libFuzzer targets (clang)" OFF)
if(SHALE_BUILD_FUZZ)
  # Coverage instrumentation for the fuzzer in the code under test: the
  # engine and the server library.
  foreach(lib shale_util shale_table shale_db shale_vlog shale_server_lib)
    if(TARGET ${lib})
      target_compile_options(${lib} PRIVATE -fsanitize=fuzzer-no-link)
    endif()
  endforeach()

  set(SHALE_FUZZ_TARGETS block_fuzz table_fuzz log_reader_fuzz manifest_fuzz
      vlog_fuzz)
  if(TARGET shale_server_lib)
    list(APPEND SHALE_FUZZ_TARGETS http_fuzz)
  endif()
  foreach(target ${SHALE_FUZZ_TARGETS})
    add_executable(${target} fuzz/${target}.cc)
    target_include_directories(${target} PRIVATE ${CMAKE_SOURCE_DIR}
      ${CMAKE_SOURCE_DIR}/src)
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link)
    target_link_options(${target} PRIVATE -fsanitize=fuzzer)
    set_target_properties(${target} PROPERTIES
      RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
  endforeach()
  foreach(target block_fuzz table_fuzz log_reader_fuzz manifest_fuzz vlog_fuzz)
    target_link_libraries(${target} PRIVATE shale)
  endforeach()
  if(TARGET http_fuzz)
    target_link_libraries(http_fuzz PRIVATE shale_server_lib)
  endif()
  # The RDB value decoder (RESTORE's payloads): its sources compiled into
  # the target itself, so the fuzzer sees their coverage without the rest
  # of the server.
  if(TARGET shale_server_lib)
    add_executable(rdb_value_fuzz fuzz/rdb_value_fuzz.cc
      server/rdb/crc64.cc server/rdb/intset_zipmap_reader.cc
      server/rdb/listpack_reader.cc server/rdb/lzf.cc
      server/rdb/stream_decoder.cc server/rdb/stream_encoder.cc
      server/rdb/value_decoder.cc server/rdb/value_encoder.cc
      server/rdb/ziplist_reader.cc)
    target_include_directories(rdb_value_fuzz PRIVATE ${CMAKE_SOURCE_DIR})
    target_compile_options(rdb_value_fuzz PRIVATE -fsanitize=fuzzer)
    target_link_options(rdb_value_fuzz PRIVATE -fsanitize=fuzzer)
    target_link_libraries(rdb_value_fuzz PRIVATE PkgConfig::LZF)
    set_target_properties(rdb_value_fuzz PROPERTIES
      RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
    # FUNCTION RESTORE's payloads (server/rdb/function_payload.h), the same
    # way.
    add_executable(function_payload_fuzz fuzz/function_payload_fuzz.cc
      server/rdb/crc64.cc server/rdb/function_payload.cc
      server/rdb/intset_zipmap_reader.cc server/rdb/listpack_reader.cc
      server/rdb/lzf.cc server/rdb/stream_decoder.cc
      server/rdb/value_decoder.cc server/rdb/value_encoder.cc
      server/rdb/ziplist_reader.cc)
    target_include_directories(function_payload_fuzz PRIVATE
      ${CMAKE_SOURCE_DIR})
    target_compile_options(function_payload_fuzz PRIVATE -fsanitize=fuzzer)
    target_link_options(function_payload_fuzz PRIVATE -fsanitize=fuzzer)
    target_link_libraries(function_payload_fuzz PRIVATE PkgConfig::LZF)
    set_target_properties(function_payload_fuzz PROPERTIES
      RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
  endif()
endif()

# Writes fresh seed corpora (fuzz/make_seeds.cc); not a fuzz target.
if(SHALE_BUILD_FUZZ)
  add_executable(fuzz_make_seeds fuzz/make_seeds.cc)
  target_include_directories(fuzz_make_seeds PRIVATE ${CMAKE_SOURCE_DIR}/src)
  target_link_libraries(fuzz_make_seeds PRIVATE shale)
  set_target_properties(fuzz_make_seeds PROPERTIES
    RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
endif()
