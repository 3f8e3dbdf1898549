# Shared CMake functions of the tests that use khtest (tests/common).
#
#   kh_add_program(NAME SOURCES ... [DRIVERS target...])
#       a test program linked with libkmdfhost and tests/common/khtest.c
#   kh_add_run(TESTNAME PROGRAM name [ARGS ...] [TIMEOUT s])
#       one CTest test that runs the program with ARGS in the tests' environment
include_guard(GLOBAL)

function(kh_add_program name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DRIVERS" ${ARGN})
  set(common "${CMAKE_CURRENT_FUNCTION_LIST_DIR}")
  kmdfhost_add_test_program(${name} SOURCES ${ARG_SOURCES} "${common}/khtest.c"
    DRIVERS ${ARG_DRIVERS})
endfunction()

function(kh_add_run test)
  kmdfhost_add_test_run(${test} ${ARGN})
endfunction()
