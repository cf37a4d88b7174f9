set(SHALE_TESTING_SOURCES
  src/testing/test_util.cc
)
set(SHALE_TESTING_TESTS
)
