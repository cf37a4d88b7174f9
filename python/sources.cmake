# The Python binding `shale` (pybind11, Debian's pybind11-dev), for Debian's
# python3: -DSHALE_PYTHON=ON (the default when pybind11 is found). The
# package is assembled in <build>/python (tests run from there) and
# installed into <prefix>/lib/python3/dist-packages, Debian's directory for
# python3 modules. Off by default in sanitizer builds: an instrumented
# module cannot load into Debian's uninstrumented python3.
if(NOT DEFINED Python_EXECUTABLE AND EXISTS /usr/bin/python3)
  set(Python_EXECUTABLE /usr/bin/python3)
endif()
set(PYBIND11_FINDPYTHON ON)
find_package(pybind11 CONFIG QUIET)
set(shale_python_default ${pybind11_FOUND})
if(SHALE_SANITIZE)
  set(shale_python_default OFF)
endif()
option(SHALE_PYTHON "Build the Python binding" ${shale_python_default})
if(SHALE_PYTHON)
  find_package(pybind11 CONFIG REQUIRED)
  pybind11_add_module(shale_python MODULE
    python/src/db.cc
    python/src/errors.cc
    python/src/iterator.cc
    python/src/module.cc
    python/src/snapshot.cc
    python/src/write_batch.cc
  )
  target_include_directories(shale_python PRIVATE ${CMAKE_SOURCE_DIR})
  target_link_libraries(shale_python PRIVATE shale)
  set(SHALE_PYTHON_DIR ${CMAKE_BINARY_DIR}/python/shale)
  set_target_properties(shale_python PROPERTIES OUTPUT_NAME _shale
    LIBRARY_OUTPUT_DIRECTORY ${SHALE_PYTHON_DIR})
  set(SHALE_PYTHON_FILES python/shale/__init__.py python/shale/__init__.pyi
    python/shale/py.typed)
  foreach(file ${SHALE_PYTHON_FILES})
    get_filename_component(name ${file} NAME)
    configure_file(${file} ${SHALE_PYTHON_DIR}/${name} COPYONLY)
  endforeach()
  set(SHALE_PYTHON_INSTALL_DIR lib/python3/dist-packages/shale CACHE STRING
    "Where the Python package goes, relative to the install prefix")
  install(TARGETS shale_python LIBRARY DESTINATION ${SHALE_PYTHON_INSTALL_DIR})
  install(FILES ${SHALE_PYTHON_FILES} DESTINATION ${SHALE_PYTHON_INSTALL_DIR})
  if(SHALE_BUILD_TESTS)
    add_test(NAME python_tests COMMAND ${Python_EXECUTABLE} -m pytest -q
      -p no:cacheprovider ${CMAKE_SOURCE_DIR}/tests/python)
    set_tests_properties(python_tests PROPERTIES TIMEOUT 300
      ENVIRONMENT PYTHONPATH=${CMAKE_BINARY_DIR}/python)
  endif()
endif()
