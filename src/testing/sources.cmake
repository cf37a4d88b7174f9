set(SHALE_TESTING_SOURCES
  src/testing/db_test_util.cc
  src/testing/test_util.cc
)
set(SHALE_TESTING_TESTS
)
