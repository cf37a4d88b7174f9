# Tests outside the per-directory gtest binaries.
if(SHALE_BUILD_TOOLS)
  add_test(NAME cli_test
           COMMAND ${CMAKE_SOURCE_DIR}/tests/cli/cli_test.sh $<TARGET_FILE:shale_cli>)
  set_tests_properties(cli_test PROPERTIES TIMEOUT 120)
endif()

# The C API from C99 (tests/c_api/c_test.c uses every function of
# include/shale/c.h). Named *_tests so the sanitizer builds run it too.
add_executable(capi_tests tests/c_api/c_test.c)
set_target_properties(capi_tests PROPERTIES C_STANDARD 99
  C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
target_compile_options(capi_tests PRIVATE -Wall -Werror -pedantic-errors)
target_link_libraries(capi_tests PRIVATE shale)
add_test(NAME capi_test COMMAND sh -c
  "dir=$(mktemp -d) && \"$0\" \"$dir\"; rc=$?; rm -rf \"$dir\"; exit $rc"
  $<TARGET_FILE:capi_tests>)
set_tests_properties(capi_test PROPERTIES TIMEOUT 120)
