find_path(CLI11_INCLUDE_DIR CLI/CLI.hpp REQUIRED)
add_library(shale_tools_lib STATIC
  tools/check.cc
  tools/commands.cc
  tools/dump.cc
  tools/escape.cc
)
target_link_libraries(shale_tools_lib PUBLIC shale)
target_include_directories(shale_tools_lib PUBLIC ${CMAKE_SOURCE_DIR}
  ${CMAKE_SOURCE_DIR}/src)
add_executable(shale_cli tools/shale_main.cc)
target_include_directories(shale_cli PRIVATE ${CLI11_INCLUDE_DIR})
target_link_libraries(shale_cli PRIVATE shale_tools_lib)
set_target_properties(shale_cli PROPERTIES OUTPUT_NAME shale
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
