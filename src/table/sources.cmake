set(SHALE_TABLE_SOURCES
  src/table/internal_iterator.cc
)
set(SHALE_TABLE_TESTS
)
