# Tests outside the per-directory gtest binaries.
if(SHALE_BUILD_TOOLS)
  add_test(NAME cli_test
           COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/cli_test.sh $<TARGET_FILE:shale_cli>)
  set_tests_properties(cli_test PROPERTIES TIMEOUT 120)
endif()
