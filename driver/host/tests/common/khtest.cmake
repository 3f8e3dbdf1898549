# Shared CMake functions of the echo, verifier and buildscript tests.
#
#   kh_add_program(NAME SOURCES ... [DRIVERS target...])
#       a test program linked with libkmdfhost and tests/common/khtest.c
#   kh_add_run(TESTNAME PROGRAM name [ARGS ...] [TIMEOUT s])
#       one CTest test that runs the program with ARGS in the tests' environment
include_guard(GLOBAL)

find_package(Threads REQUIRED)

function(kh_add_program name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DRIVERS" ${ARGN})
  set(common "${CMAKE_CURRENT_FUNCTION_LIST_DIR}")
  add_executable(${name} ${ARG_SOURCES} "${common}/khtest.c")
  target_link_libraries(${name} PRIVATE kmdfhost Threads::Threads)
  target_include_directories(${name} PRIVATE "${CMAKE_CURRENT_SOURCE_DIR}" "${common}")
  target_compile_options(${name} PRIVATE -Wall -Wextra -Werror)
  if(ARG_DRIVERS)
    add_dependencies(${name} ${ARG_DRIVERS})
  endif()
endfunction()

function(kh_add_run test)
  cmake_parse_arguments(ARG "" "PROGRAM;TIMEOUT" "ARGS" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  add_test(NAME ${test} COMMAND ${ARG_PROGRAM} ${ARG_ARGS})
  set_tests_properties(${test} PROPERTIES TIMEOUT ${ARG_TIMEOUT}
    ENVIRONMENT "${KMDFHOST_TEST_ENV}")
endfunction()
