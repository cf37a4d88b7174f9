# shale-bench (side by side with RocksDB and LevelDB) and shale-microbench.
#
# Baselines, best first:
#   1. release static libraries built by scripts/build_baselines.sh into
#      SHALE_BENCH_BASELINE_DIR (`make bench` sets it; -O2 -DNDEBUG);
#   2. Debian's librocksdb-dev / libleveldb-dev, which are built with
#      assertions on: used with a loud warning (baseline_build
#      "debian-asserts" in the output and the JSON);
#   3. none: shale-bench builds without that engine and says so when run.
set(SHALE_BENCH_BASELINE_DIR "" CACHE PATH
  "Directory of release RocksDB/LevelDB builds (scripts/build_baselines.sh)")
option(SHALE_BENCH_WITH_BASELINES "Link RocksDB and LevelDB into shale-bench" ON)

add_executable(shale_bench
  bench/bench_main.cc
  bench/engine.cc
  bench/engine_shale.cc
  bench/flags.cc
  bench/histogram.cc
  bench/keys.cc
  bench/proc_stats.cc
  bench/report.cc
  bench/workloads.cc
  bench/ycsb.cc
)
target_link_libraries(shale_bench PRIVATE shale Threads::Threads)
set_target_properties(shale_bench PROPERTIES OUTPUT_NAME shale-bench
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})

# Finds the newest <dir>/<name>-<version>/ holding lib/lib<name>.a and a
# .stamp (a finished build); sets <var>_PREFIX and <var>_VERSION.
function(shale_bench_find_release name var)
  set(${var}_PREFIX "" PARENT_SCOPE)
  if(NOT SHALE_BENCH_BASELINE_DIR)
    return()
  endif()
  file(GLOB candidates "${SHALE_BENCH_BASELINE_DIR}/${name}-*/.stamp")
  list(SORT candidates)
  list(REVERSE candidates)
  foreach(stamp ${candidates})
    get_filename_component(prefix ${stamp} DIRECTORY)
    if(EXISTS ${prefix}/lib/lib${name}.a)
      get_filename_component(base ${prefix} NAME)
      string(REPLACE "${name}-" "" version ${base})
      set(${var}_PREFIX ${prefix} PARENT_SCOPE)
      set(${var}_VERSION ${version} PARENT_SCOPE)
      return()
    endif()
  endforeach()
endfunction()

if(SHALE_BENCH_WITH_BASELINES)
  # --- RocksDB -------------------------------------------------------------
  shale_bench_find_release(rocksdb ROCKSDB_RELEASE)
  if(ROCKSDB_RELEASE_PREFIX)
    # A static library: link the compression libraries it was built with.
    set(rocksdb_deps "")
    foreach(lib snappy lz4 zstd bz2 z)
      find_library(SHALE_BENCH_${lib}_LIB ${lib})
      if(SHALE_BENCH_${lib}_LIB)
        list(APPEND rocksdb_deps ${SHALE_BENCH_${lib}_LIB})
      endif()
    endforeach()
    target_sources(shale_bench PRIVATE bench/engine_rocksdb.cc)
    target_include_directories(shale_bench SYSTEM BEFORE PRIVATE
      ${ROCKSDB_RELEASE_PREFIX}/include)
    target_link_libraries(shale_bench PRIVATE
      ${ROCKSDB_RELEASE_PREFIX}/lib/librocksdb.a ${rocksdb_deps} ${CMAKE_DL_LIBS})
    target_compile_definitions(shale_bench PRIVATE SHALE_BENCH_HAVE_ROCKSDB
      SHALE_BENCH_ROCKSDB_BUILD="release")
    message(STATUS "shale-bench: RocksDB ${ROCKSDB_RELEASE_VERSION} release build "
                   "from ${ROCKSDB_RELEASE_PREFIX}")
  else()
    find_path(SHALE_BENCH_ROCKSDB_INCLUDE rocksdb/db.h)
    find_library(SHALE_BENCH_ROCKSDB_LIB rocksdb)
    if(SHALE_BENCH_ROCKSDB_INCLUDE AND SHALE_BENCH_ROCKSDB_LIB)
      target_sources(shale_bench PRIVATE bench/engine_rocksdb.cc)
      target_include_directories(shale_bench SYSTEM PRIVATE
        ${SHALE_BENCH_ROCKSDB_INCLUDE})
      target_link_libraries(shale_bench PRIVATE ${SHALE_BENCH_ROCKSDB_LIB})
      target_compile_definitions(shale_bench PRIVATE SHALE_BENCH_HAVE_ROCKSDB
        SHALE_BENCH_ROCKSDB_BUILD="debian-asserts")
      message(WARNING "shale-bench: no release RocksDB build (run "
        "scripts/build_baselines.sh, or `make bench`): linking Debian's "
        "librocksdb, which is BUILT WITH ASSERTIONS and slower than a release "
        "build. Ratios against it flatter shale.")
    else()
      message(STATUS "shale-bench: RocksDB not found; building without it")
    endif()
  endif()

  # --- LevelDB -------------------------------------------------------------
  shale_bench_find_release(leveldb LEVELDB_RELEASE)
  if(LEVELDB_RELEASE_PREFIX)
    find_library(SHALE_BENCH_snappy_LIB snappy)
    target_sources(shale_bench PRIVATE bench/engine_leveldb.cc)
    target_include_directories(shale_bench SYSTEM BEFORE PRIVATE
      ${LEVELDB_RELEASE_PREFIX}/include)
    target_link_libraries(shale_bench PRIVATE
      ${LEVELDB_RELEASE_PREFIX}/lib/libleveldb.a ${SHALE_BENCH_snappy_LIB})
    target_compile_definitions(shale_bench PRIVATE SHALE_BENCH_HAVE_LEVELDB
      SHALE_BENCH_LEVELDB_BUILD="release")
    message(STATUS "shale-bench: LevelDB ${LEVELDB_RELEASE_VERSION} release build "
                   "from ${LEVELDB_RELEASE_PREFIX}")
  else()
    find_path(SHALE_BENCH_LEVELDB_INCLUDE leveldb/db.h)
    find_library(SHALE_BENCH_LEVELDB_LIB leveldb)
    if(SHALE_BENCH_LEVELDB_INCLUDE AND SHALE_BENCH_LEVELDB_LIB)
      target_sources(shale_bench PRIVATE bench/engine_leveldb.cc)
      target_include_directories(shale_bench SYSTEM PRIVATE
        ${SHALE_BENCH_LEVELDB_INCLUDE})
      target_link_libraries(shale_bench PRIVATE ${SHALE_BENCH_LEVELDB_LIB})
      target_compile_definitions(shale_bench PRIVATE SHALE_BENCH_HAVE_LEVELDB
        SHALE_BENCH_LEVELDB_BUILD="debian-asserts")
      message(WARNING "shale-bench: no release LevelDB build: linking "
        "Debian's libleveldb (built with assertions).")
    else()
      message(STATUS "shale-bench: LevelDB not found; building without it")
    endif()
  endif()
endif()

# --- micro benchmarks of engine internals (Google Benchmark) ---------------
find_package(benchmark QUIET)
if(benchmark_FOUND)
  add_executable(shale_microbench
    bench/micro/block_bench.cc
    bench/micro/bloom_bench.cc
    bench/micro/cache_bench.cc
    bench/micro/skiplist_bench.cc
    bench/micro/wal_bench.cc
  )
  target_include_directories(shale_microbench PRIVATE ${CMAKE_SOURCE_DIR}/src)
  target_link_libraries(shale_microbench PRIVATE shale benchmark::benchmark
    benchmark::benchmark_main)
  set_target_properties(shale_microbench PROPERTIES
    OUTPUT_NAME shale-microbench RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
  # The server's protocol parsers, when the server is part of the build.
  if(TARGET shale_server_lib)
    target_sources(shale_microbench PRIVATE bench/micro/protocol_bench.cc)
    target_link_libraries(shale_microbench PRIVATE shale_server_lib)
  else()
    message(STATUS "shale-bench: no server/ in this tree; shale-microbench "
                   "goes without the protocol parser benchmarks")
  endif()
else()
  message(STATUS "shale-bench: Google Benchmark not found; no shale-microbench")
endif()

# --- the smoke run: every workload at a tiny size, values verified ---------
if(SHALE_BUILD_TESTS)
  add_test(NAME bench_smoke
    COMMAND ${CMAKE_SOURCE_DIR}/scripts/bench_smoke.sh
            $<TARGET_FILE:shale_bench> ${CMAKE_BINARY_DIR}/bench-smoke)
  set_tests_properties(bench_smoke PROPERTIES TIMEOUT 300)
endif()
