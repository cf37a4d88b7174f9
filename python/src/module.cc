// The extension module shale._shale; python/shale/__init__.py re-exports it.
#include "python/src/binding.h"

PYBIND11_MODULE(_shale, m) {
  m.doc() = "shale's engine (see the package shale)";
  shale::python::RegisterErrors(m);
  shale::python::RegisterDb(m);
  shale::python::RegisterIterators(m);
  shale::python::RegisterWriteBatch(m);
  shale::python::RegisterSnapshot(m);
}
