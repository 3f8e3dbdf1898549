# check_layout_selftest.cmake - the layout check finds what it must: run on fixture/,
# a tree that breaks each rule once beside a file that breaks none, it fails and names
# every violation, and nothing in the good file.
#
#   cmake -DCHECK=check_layout.cmake -DFIXTURE=fixture -P check_layout_selftest.cmake
cmake_minimum_required(VERSION 3.20)
execute_process(COMMAND "${CMAKE_COMMAND}" -DHOST_DIR=${FIXTURE} -P "${CHECK}"
  RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(out "${out}${err}")
set(failures "")
if(result EQUAL 0)
  list(APPEND failures "the check passed a tree with violations")
endif()
foreach(expected
    "src/io/bad.c: <wdf.h> is a KMDF header"
    "src/io/bad.c: \"wdf/fxp.h\" climbs a layer (io is layer 2, wdf is layer 3)"
    "src/io/bad.c: \"ke/kep.h\" is private to ke"
    "src/io/bad.c: \"missing.h\" is not a header of its own folder"
    "src/io/bad.c: reports UNLISTED_RULE, which the catalogue"
    "include/km/wdm.h: includes wdf.h of include/wdf/kmdf/1.15"
    "README.md: the rule catalogue lacks `UNDOCUMENTED_RULE`"
    "src/wdf/fxother.c: WdfThingDo belongs in src/wdf/fxthing.c, named after its header"
    "layout: 8 violation(s)")
  string(FIND "${out}" "${expected}" at)
  if(at EQUAL -1)
    list(APPEND failures "missing: ${expected}")
  endif()
endforeach()
foreach(unexpected "good.c" "IN_A_COMMENT" "KNOWN_RULE,")
  string(FIND "${out}" "${unexpected}" at)
  if(NOT at EQUAL -1)
    list(APPEND failures "unexpected: ${unexpected}")
  endif()
endforeach()
if(failures)
  string(REPLACE ";" "\n  " failures "${failures}")
  message(FATAL_ERROR "layout check self-test:\n  ${failures}\noutput:\n${out}")
endif()
message("layout check self-test: ok")
