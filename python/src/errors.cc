// Status codes to exception classes, and the argument conversions.
#include <string>

#include "python/src/binding.h"

namespace shale::python {

ErrorTypes error_types;

namespace {

PyObject* NewError(py::module_& m, const char* name, const char* doc,
                   py::handle bases) {
  std::string qualified = std::string("shale.") + name;
  PyObject* type =
      PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases.ptr(), nullptr);
  if (type == nullptr) throw py::error_already_set();
  m.add_object(name, py::handle(type));  // the module takes a reference
  return type;                           // and we keep ours
}

}  // namespace

void RegisterErrors(py::module_& m) {
  ErrorTypes& e = error_types;
  e.error =
      NewError(m, "Error", "Base class of every shale error.", PyExc_Exception);
  e.io_error =
      NewError(m, "IOError", "A failed file system call (also an OSError).",
               py::make_tuple(py::handle(e.error), py::handle(PyExc_OSError)));
  e.no_space = NewError(m, "NoSpaceError", "The device is full.", e.io_error);
  e.busy = NewError(m, "BusyError",
                    "The DB is open elsewhere (in this or another process).",
                    e.io_error);
  e.corruption = NewError(m, "CorruptionError",
                          "Damaged data: a checksum mismatch or a file the "
                          "engine cannot parse.",
                          e.error);
  e.invalid_argument =
      NewError(m, "InvalidArgumentError",
               "A bad argument or option, or the DB missing (without "
               "create_if_missing) or existing (with error_if_exists).",
               e.error);
  e.not_supported = NewError(m, "NotSupportedError",
                             "An operation shale does not offer.", e.error);
  e.iterator_invalid =
      NewError(m, "IteratorInvalidError",
               "A raw iterator read or moved while not on an entry.", e.error);
}

void Raise(const Status& s) {
  PyObject* type = error_types.error;
  switch (s.code()) {
    case Status::Code::kIOError:
      type = error_types.io_error;
      break;
    case Status::Code::kNoSpace:
      type = error_types.no_space;
      break;
    case Status::Code::kBusy:
      type = error_types.busy;
      break;
    case Status::Code::kCorruption:
      type = error_types.corruption;
      break;
    case Status::Code::kInvalidArgument:
      type = error_types.invalid_argument;
      break;
    case Status::Code::kNotSupported:
      type = error_types.not_supported;
      break;
    default:  // NotFound where it is an error, and OK (never passed)
      break;
  }
  PyErr_SetString(type, s.ToString().c_str());
  throw py::error_already_set();
}

void RaiseClosed(const char* message) {
  PyErr_SetString(PyExc_RuntimeError, message);
  throw py::error_already_set();
}

std::string_view KeyView(py::handle key, const char* what) {
  if (!PyBytes_Check(key.ptr())) {
    PyErr_Format(PyExc_TypeError, "%s must be bytes, not %s", what,
                 Py_TYPE(key.ptr())->tp_name);
    throw py::error_already_set();
  }
  return {PyBytes_AS_STRING(key.ptr()),
          static_cast<size_t>(PyBytes_GET_SIZE(key.ptr()))};
}

std::string_view ValueView(py::handle value, std::string* storage) {
  if (PyBytes_Check(value.ptr())) {
    return {PyBytes_AS_STRING(value.ptr()),
            static_cast<size_t>(PyBytes_GET_SIZE(value.ptr()))};
  }
  Py_buffer view;
  if (PyObject_GetBuffer(value.ptr(), &view, PyBUF_SIMPLE) != 0) {
    PyErr_Clear();
    PyErr_Format(PyExc_TypeError, "value must be a bytes-like object, not %s",
                 Py_TYPE(value.ptr())->tp_name);
    throw py::error_already_set();
  }
  storage->assign(static_cast<const char*>(view.buf),
                  static_cast<size_t>(view.len));
  PyBuffer_Release(&view);
  return *storage;
}

}  // namespace shale::python
