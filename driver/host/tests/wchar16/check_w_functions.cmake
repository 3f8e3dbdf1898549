# check_w_functions.cmake - every W function that the user-mode headers declare has its
# 16-bit form, for programs built with Windows' 16-bit wchar_t (scripts/build-host-app):
#
#   cmake -DINCLUDE_DIR=driver/host/include -DARCHIVE=libkmdfhost_wchar16.a -DNM=nm
#         -P check_w_functions.cmake
#
# A W function is a declaration of include/um/*.h or include/kmdfhost/kmdfhost_win32.h
# (which <windows.h> includes) whose name ends in W and that starts with an export
# macro (WINBASEAPI, WINADVAPI, WINSETUPAPI, CMAPI, KMDFHOST_API); strsafe.h's inline
# functions are compiled into the program and need none. For each, um/kmdfhost_wchar16.h
# must map NameW to KhW16_NameW and ARCHIVE must define KhW16_NameW. Prints one line per
# missing piece and fails when there is any.
cmake_minimum_required(VERSION 3.20)
if(NOT INCLUDE_DIR OR NOT ARCHIVE OR NOT NM)
  message(FATAL_ERROR "usage: cmake -DINCLUDE_DIR=... -DARCHIVE=... -DNM=... -P check_w_functions.cmake")
endif()

file(GLOB headers "${INCLUDE_DIR}/um/*.h")
list(APPEND headers "${INCLUDE_DIR}/kmdfhost/kmdfhost_win32.h")
set(functions "")
foreach(header IN LISTS headers)
  file(READ "${header}" text)
  # Comments could hold anything: drop them first.
  string(REGEX REPLACE "/\\*([^*]|\\*+[^*/])*\\*+/" " " text "${text}")
  string(REGEX REPLACE "//[^\n]*" " " text "${text}")
  string(REGEX MATCHALL "(WINBASEAPI|WINADVAPI|WINSETUPAPI|CMAPI|KMDFHOST_API)[^;{}()#]*[ \t\n*]([A-Za-z_][A-Za-z0-9_]*W)[ \t\n]*\\("
         declarations "${text}")
  foreach(declaration IN LISTS declarations)
    string(REGEX MATCH "([A-Za-z_][A-Za-z0-9_]*W)[ \t\n]*\\($" name "${declaration}")
    list(APPEND functions "${CMAKE_MATCH_1}")
  endforeach()
endforeach()
list(REMOVE_DUPLICATES functions)
list(SORT functions)
list(LENGTH functions count)
if(count EQUAL 0)
  message(FATAL_ERROR "wchar16: no W function found in ${INCLUDE_DIR}: the check itself is broken")
endif()

file(READ "${INCLUDE_DIR}/um/kmdfhost_wchar16.h" map)
execute_process(COMMAND "${NM}" --defined-only "${ARCHIVE}" OUTPUT_VARIABLE symbols RESULT_VARIABLE nm_result)
if(NOT nm_result EQUAL 0)
  message(FATAL_ERROR "wchar16: ${NM} ${ARCHIVE} failed")
endif()
set(missing 0)
foreach(name IN LISTS functions)
  if(NOT map MATCHES "#define ${name} KhW16_${name}\n")
    message("wchar16: ${name} has no 16-bit variant: um/kmdfhost_wchar16.h lacks #define ${name} KhW16_${name}")
    math(EXPR missing "${missing} + 1")
  endif()
  if(NOT symbols MATCHES " T KhW16_${name}\n")
    message("wchar16: ${name} has no 16-bit variant: ${ARCHIVE} does not define KhW16_${name}")
    math(EXPR missing "${missing} + 1")
  endif()
endforeach()
if(missing GREATER 0)
  message(FATAL_ERROR "wchar16: ${missing} missing piece(s) of the 16-bit W functions")
endif()
string(REPLACE ";" " " list "${functions}")
message("wchar16: all ${count} W functions have their 16-bit variant: ${list}")
