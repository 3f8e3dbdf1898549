# check_layout.cmake - the host's layering, checked on its sources:
#
#   cmake -DHOST_DIR=driver/host -P check_layout.cmake
#
# 1. No #include climbs a layer. The components of src/ and their layers, lowest first
#    (driver/host/README.md explains them):
#        0 os                          the one door to threads, locks, waits and time
#        1 rtl kd ke ex ob ps cm mm ldr po   the kernel and executive
#        2 io battc                    the I/O and PnP managers, the NT system services;
#                                      the battery class driver (battc.sys)
#        3 wdf                         the framework
#        4 verifier                    installs its hooks, delivers reports
#        5 win32                       kernel32 and setupapi: translation only
#    A file of src/C includes "D/x.h" only when D's layer is not above C's; a private
#    header (a name ending in p.h: iop.h, fxp.h, win32p.h) only from its own
#    component; a quoted name without a folder only from its own folder. win32 includes
#    only the interface headers of io, rtl and os besides its own.
# 2. Header folders: the KMDF headers (include/wdf/kmdf/1.15) only in src/wdf; the
#    kernel-mode headers (include/km) not in src/os or src/win32; kmdfhost_win32.h only
#    in src/win32. In include/: shared/ includes only shared/; km/ only km/ and shared/;
#    wdf/ only wdf/, km/ and shared/; kmdfhost/ only kmdfhost/ (and the C library); um/
#    only um/, shared/ and kmdfhost/.
#    Every framework method (WDFAPI) is defined in src/wdf/fx<name>.c, named after the
#    wdf<name>.h that declares it.
# 3. Every rule id a report names (KhVerifierReport, FxReport, KmdfHostExploreFinding)
#    is in the verifier's catalogue (src/verifier/verifier.h), and every catalogue id is
#    in README.md.
#
# Prints one line per violation and fails when there is any.
cmake_minimum_required(VERSION 3.20)
if(NOT HOST_DIR)
  message(FATAL_ERROR "usage: cmake -DHOST_DIR=driver/host -P check_layout.cmake")
endif()
get_filename_component(HOST_DIR "${HOST_DIR}" ABSOLUTE)

set(layer_os 0)
foreach(c rtl kd ke ex ob ps cm mm ldr po)
  set(layer_${c} 1)
endforeach()
set(layer_io 2)
set(layer_battc 2)
set(layer_wdf 3)
set(layer_verifier 4)
set(layer_win32 5)
set(win32_may_include win32 io rtl os)

set(violations 0)
macro(violation text)
  message("layout: ${text}")
  math(EXPR violations "${violations} + 1")
endmacro()

# Header names of each include/ folder.
set(folders km shared wdf/kmdf/1.15 kmdfhost um)
foreach(folder IN LISTS folders)
  string(MAKE_C_IDENTIFIER "${folder}" id)
  file(GLOB names RELATIVE "${HOST_DIR}/include/${folder}" "${HOST_DIR}/include/${folder}/*.h")
  # Include names are matched without regard to case (as on Windows); files_ keeps
  # the names as they are on disk (WppRecorder.h).
  set(files_${id} ${names})
  string(TOLOWER "${names}" names)
  set(headers_${id} ${names})
endforeach()

# Lines "#include <...>" or "#include \"...\"" of a file, as a list of the names with
# their delimiter kept ("<x.h>" or "\"x.h\"" becomes <x.h> or 'x.h').
function(read_includes file out)
  file(STRINGS "${file}" lines REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
  set(result "")
  foreach(line IN LISTS lines)
    if(line MATCHES "include[ \t]*<([^>]+)>")
      list(APPEND result "<${CMAKE_MATCH_1}>")
    elseif(line MATCHES "include[ \t]*\"([^\"]+)\"")
      list(APPEND result "'${CMAKE_MATCH_1}'")
    endif()
  endforeach()
  set(${out} "${result}" PARENT_SCOPE)
endfunction()

# 1 and 2: the sources.
file(GLOB_RECURSE sources RELATIVE "${HOST_DIR}/src" "${HOST_DIR}/src/*.c" "${HOST_DIR}/src/*.h")
list(SORT sources)
foreach(rel IN LISTS sources)
  string(REGEX REPLACE "/.*" "" comp "${rel}")
  get_filename_component(dir "${rel}" DIRECTORY)
  if(NOT DEFINED layer_${comp})
    violation("src/${rel}: component ${comp} has no layer (add it to tests/layout/check_layout.cmake and the README)")
    continue()
  endif()
  read_includes("${HOST_DIR}/src/${rel}" includes)
  foreach(inc IN LISTS includes)
    if(inc MATCHES "^'(.*)'$")
      set(name "${CMAKE_MATCH_1}")
      if(NOT name MATCHES "/")
        if(EXISTS "${HOST_DIR}/src/${dir}/${name}")
          continue()
        endif()
        # A header of include/ named with quotes: checked as <name> below.
        string(TOLOWER "${name}" lname)
        set(public FALSE)
        foreach(folder IN LISTS folders)
          string(MAKE_C_IDENTIFIER "${folder}" id)
          if(lname IN_LIST headers_${id})
            set(public TRUE)
          endif()
        endforeach()
        if(NOT public)
          violation("src/${rel}: \"${name}\" is not a header of its own folder")
          continue()
        endif()
        set(inc "<${name}>")
      endif()
    endif()
    if(inc MATCHES "^'(.*)'$")
      set(name "${CMAKE_MATCH_1}")
      string(REGEX REPLACE "/.*" "" target "${name}")
      get_filename_component(base "${name}" NAME)
      if(NOT DEFINED layer_${target})
        violation("src/${rel}: \"${name}\" names no component")
      elseif(target STREQUAL comp)
        # its own component
      elseif(layer_${target} GREATER layer_${comp})
        violation("src/${rel}: \"${name}\" climbs a layer (${comp} is layer ${layer_${comp}}, ${target} is layer ${layer_${target}})")
      elseif(base MATCHES "p\\.h$")
        violation("src/${rel}: \"${name}\" is private to ${target}")
      elseif(comp STREQUAL "win32" AND NOT target IN_LIST win32_may_include)
        violation("src/${rel}: \"${name}\": win32 calls only the NT services (io), rtl and os")
      endif()
    elseif(inc MATCHES "^<(.*)>$")
      string(TOLOWER "${CMAKE_MATCH_1}" name)
      if(name IN_LIST headers_wdf_kmdf_1_15 AND NOT comp STREQUAL "wdf")
        violation("src/${rel}: <${name}> is a KMDF header; below the framework nothing knows KMDF")
      elseif(name IN_LIST headers_km AND (comp STREQUAL "os" OR comp STREQUAL "win32"))
        violation("src/${rel}: <${name}> is a kernel-mode header; ${comp} does not see them")
      elseif(name STREQUAL "kmdfhost_win32.h" AND NOT comp STREQUAL "win32")
        violation("src/${rel}: <${name}> declares the Win32 surface; only win32 includes it")
      endif()
    endif()
  endforeach()
endforeach()

# 2: the header folders.
set(may_shared shared)
set(may_km km shared)
set(may_wdf_kmdf_1_15 wdf_kmdf_1_15 km shared)
set(may_kmdfhost kmdfhost)
# um (windows.h and friends) builds on kmdfhost_win32.h, which declares the Win32
# functions that echoapp binds through JNA: one declaration of each function.
set(may_um um shared kmdfhost)
foreach(folder IN LISTS folders)
  string(MAKE_C_IDENTIFIER "${folder}" id)
  foreach(file IN LISTS files_${id})
    string(TOLOWER "${file}" header)
    read_includes("${HOST_DIR}/include/${folder}/${file}" includes)
    foreach(inc IN LISTS includes)
      string(REGEX REPLACE "^[<'](.*)[>']$" "\\1" name "${inc}")
      string(TOLOWER "${name}" name)
      foreach(other IN LISTS folders)
        string(MAKE_C_IDENTIFIER "${other}" oid)
        if(name IN_LIST headers_${oid} AND NOT name IN_LIST headers_${id} AND NOT oid IN_LIST may_${id})
          violation("include/${folder}/${header}: includes ${name} of include/${other}")
        endif()
      endforeach()
    endforeach()
  endforeach()
endforeach()

# 2b: every framework method is defined in the source named after its header
# (wdfdpc.h -> src/wdf/fxdpc.c).
set(wdf_elsewhere
  # The queue's stop logic, which it drives, lives in fxio.c.
  "WdfRequestStopAcknowledge=fxio.c")
set(wdf_api_regex "WDFAPI[ \t\n]+[^;(]*[ \t\n*](Wdf[A-Za-z0-9_]+)[ \t\n]*\\(")
foreach(header IN LISTS headers_wdf_kmdf_1_15)
  file(READ "${HOST_DIR}/include/wdf/kmdf/1.15/${header}" text)
  string(REGEX MATCHALL "${wdf_api_regex}" decls "${text}")
  string(REGEX REPLACE "^wdf(.*)\\.h$" "fx\\1.c" source "${header}")
  foreach(decl IN LISTS decls)
    string(REGEX REPLACE "${wdf_api_regex}" "\\1" function "${decl}")
    set(home_${function} "${source}")
  endforeach()
endforeach()
file(GLOB wdf_sources RELATIVE "${HOST_DIR}/src/wdf" "${HOST_DIR}/src/wdf/*.c")
foreach(source IN LISTS wdf_sources)
  file(READ "${HOST_DIR}/src/wdf/${source}" text)
  string(REGEX MATCHALL "${wdf_api_regex}" defs "${text}")
  foreach(def IN LISTS defs)
    string(REGEX REPLACE "${wdf_api_regex}" "\\1" function "${def}")
    if(DEFINED home_${function} AND NOT home_${function} STREQUAL source
       AND NOT "${function}=${source}" IN_LIST wdf_elsewhere)
      violation("src/wdf/${source}: ${function} belongs in src/wdf/${home_${function}}, named after its header")
    endif()
  endforeach()
endforeach()

# 3: the rule catalogue.
set(catalogue_file "${HOST_DIR}/src/verifier/verifier.h")
if(EXISTS "${catalogue_file}")
  file(READ "${catalogue_file}" text)
  string(REGEX MATCHALL "RULE\\(([A-Z][A-Z0-9_]*)," entries "${text}")
  set(catalogue "")
  foreach(entry IN LISTS entries)
    string(REGEX REPLACE "RULE\\(([A-Z0-9_]*),$" "\\1" id "${entry}")
    list(APPEND catalogue "${id}")
  endforeach()
  if(NOT catalogue)
    violation("src/verifier/verifier.h: no RULE(...) entries")
  endif()
  foreach(rel IN LISTS sources)
    file(READ "${HOST_DIR}/src/${rel}" text)
    # Comments name rule ids as examples; only code counts.
    string(REGEX REPLACE "/\\*([^*]|\\*+[^*/])*\\*+/" "" text "${text}")
    # KhVerifierReport("ID", ...), FxReport(driver, "ID", ...), the schedule explorer's
    # KmdfHostExploreFinding("ID", ...), and the bug check's line.
    string(REGEX MATCHALL "(KhVerifierReport|FxReport|KmdfHostExploreFinding)\\([^;\"]*\"[A-Z][A-Z0-9_]*\"" calls "${text}")
    string(REGEX MATCHALL "\"VERIFIER: [A-Z][A-Z0-9_]*:" lines "${text}")
    foreach(call IN LISTS calls lines)
      string(REGEX REPLACE ".*\"(VERIFIER: )?([A-Z][A-Z0-9_]*)[\":]*$" "\\2" id "${call}")
      if(NOT id IN_LIST catalogue)
        violation("src/${rel}: reports ${id}, which the catalogue (src/verifier/verifier.h) does not list")
      endif()
    endforeach()
  endforeach()
  if(EXISTS "${HOST_DIR}/README.md")
    file(READ "${HOST_DIR}/README.md" readme)
    foreach(id IN LISTS catalogue)
      string(FIND "${readme}" "`${id}`" at)
      if(at EQUAL -1)
        violation("README.md: the rule catalogue lacks `${id}`")
      endif()
    endforeach()
  endif()
endif()

if(violations GREATER 0)
  message(FATAL_ERROR "layout: ${violations} violation(s)")
endif()
message("layout: ok")
