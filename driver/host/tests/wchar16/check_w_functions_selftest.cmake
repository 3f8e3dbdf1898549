# check_w_functions_selftest.cmake - check_w_functions.cmake finds a W function that has
# no 16-bit variant: a copy of the headers with one more declaration must fail, naming it.
#
#   cmake -DINCLUDE_DIR=... -DARCHIVE=... -DNM=... -DWORK=DIR -P check_w_functions_selftest.cmake
cmake_minimum_required(VERSION 3.20)
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}/kmdfhost")
file(COPY "${INCLUDE_DIR}/um" DESTINATION "${WORK}")
file(COPY "${INCLUDE_DIR}/kmdfhost/kmdfhost_win32.h" DESTINATION "${WORK}/kmdfhost")
file(WRITE "${WORK}/um/selftest.h"
     "/* SelfTestCommentW(: not a declaration */\nWINBASEAPI BOOL WINAPI\n    KhSelfTestW(LPCWSTR Name);\n")
execute_process(COMMAND "${CMAKE_COMMAND}" -DINCLUDE_DIR=${WORK} -DARCHIVE=${ARCHIVE} -DNM=${NM}
                        -P "${CMAKE_CURRENT_LIST_DIR}/check_w_functions.cmake"
                RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
file(REMOVE_RECURSE "${WORK}")
if(result EQUAL 0)
  message(FATAL_ERROR "selftest: the check passed with KhSelfTestW undeclared in kmdfhost_wchar16.h")
endif()
if(NOT err MATCHES "KhSelfTestW has no 16-bit variant" OR err MATCHES "SelfTestCommentW")
  message(FATAL_ERROR "selftest: the check did not name exactly KhSelfTestW:\n${err}")
endif()
message("selftest: the check reports a W function without a 16-bit variant")
