# The C API (include/shale/c.h), compiled into libshale.
set(SHALE_C_SOURCES
  src/c/c.cc
)
