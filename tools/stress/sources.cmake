# shale-stress: the expected-state stress tool (docs/testing.md), and the
# reliability tests beside it (power loss, fault injection, corruption).
add_library(shale_stress_lib STATIC
  tools/stress/expected_state.cc
  tools/stress/stress_flags.cc
  tools/stress/stress_ops.cc
  tools/stress/stress_test.cc
  tools/stress/stress_verify.cc
  tools/stress/value_gen.cc
)
target_link_libraries(shale_stress_lib PUBLIC shale)
target_include_directories(shale_stress_lib PUBLIC ${CMAKE_SOURCE_DIR}
  ${CMAKE_SOURCE_DIR}/src)

add_executable(shale_stress tools/stress/stress_main.cc)
target_link_libraries(shale_stress PRIVATE shale_stress_lib)
set_target_properties(shale_stress PROPERTIES OUTPUT_NAME shale-stress
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})

# The reliability tests (gtest, in ctest): pinned engine bugs, power loss,
# fault injection, corruption sweeps.
if(SHALE_BUILD_TESTS AND TARGET shale_tools_lib)
  add_executable(reliability_tests
    tools/stress/corruption_test.cc
    tools/stress/fault_injection_test.cc
    tools/stress/power_loss_test.cc
    tools/stress/regression_test.cc
  )
  target_link_libraries(reliability_tests PRIVATE shale_testing shale_stress_lib
    shale_tools_lib GTest::gtest GTest::gtest_main)
  target_include_directories(reliability_tests PRIVATE ${CMAKE_SOURCE_DIR}/src)
  gtest_discover_tests(reliability_tests DISCOVERY_TIMEOUT 60
                       PROPERTIES TIMEOUT 600)
endif()
