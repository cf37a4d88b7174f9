set(SHALE_DB_SOURCES
  src/db/dbformat.cc
)
set(SHALE_DB_TESTS
)
