set(SHALE_VLOG_SOURCES
  src/vlog/vlog_format.cc
  src/vlog/vlog_reader.cc
  src/vlog/vlog_writer.cc
)
set(SHALE_VLOG_TESTS
  src/vlog/vlog_test.cc
)
