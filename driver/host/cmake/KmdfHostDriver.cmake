# KmdfHostDriver.cmake - how a KMDF driver module is compiled for the host: the one place
# that says it. Three users read it:
#   - driver/host/CMakeLists.txt includes it (kmdfhost_add_driver, and the flags the
#     host's own kernel-side sources share with drivers);
#   - scripts/build-host-driver runs it in script mode to learn the flags:
#       cmake -P driver/host/cmake/KmdfHostDriver.cmake
#     prints one compiler argument per line (the flags, then -isystem DIR pairs);
#   - kmdfhost_add_driver builds every driver of the tree through that script.
#
# A driver sees the WDK-named headers only: include/km (ntddk.h, wdm.h, ...),
# include/shared (ntdef.h, ntstatus.h, sal.h, ...) and include/wdf/kmdf/1.15 (wdf.h and
# wdf*.h), as -isystem directories. The host's control API (include/kmdfhost) and the
# user-mode headers (include/um) are not on a driver's path.

get_filename_component(KMDFHOST_HOST_DIR "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)

# Header folders a driver compiles against, relative to driver/host/include.
set(KMDFHOST_DRIVER_INCLUDE_SUBDIRS km shared wdf/kmdf/1.15)
set(KMDFHOST_DRIVER_INCLUDE_DIRS "")
foreach(sub IN LISTS KMDFHOST_DRIVER_INCLUDE_SUBDIRS)
  list(APPEND KMDFHOST_DRIVER_INCLUDE_DIRS "${KMDFHOST_HOST_DIR}/include/${sub}")
endforeach()

# What makes WDK code compile unmodified: a 16-bit WCHAR as on Windows, MSVC pragmas
# ignored, multi-character pool tags accepted. The host's kernel-side sources are built
# with the same ABI flags.
set(KMDFHOST_DRIVER_ABI_FLAGS -fshort-wchar -Wno-multichar -Wno-unknown-pragmas)
# A driver module: position-independent C (GNU dialect for the MSVC-isms) linked as a
# shared object whose framework and kernel imports stay undefined until the host loads it.
# Microsoft's anonymous structure members (-fms-extensions) and no strict-aliasing
# assumptions, as MSVC compiles driver code. MSVC's C "__inline" function in a header
# has external linkage and one copy survives linking (COMDAT): GNU89 inline semantics
# emit it in each file, and the linker keeps the first (-z muldefs, below).
set(KMDFHOST_DRIVER_COMPILE_FLAGS -std=gnu11 -fPIC -fms-extensions -fno-strict-aliasing -fgnu89-inline
    ${KMDFHOST_DRIVER_ABI_FLAGS})
# Every module links the KMDF stub (WdfDriverEntry.lib's part: src/wdf/fxstub.c), whose
# FxDriverEntry is the module's entry point, as the WDK sets a KMDF driver's.
set(KMDFHOST_DRIVER_STUB_SOURCE "${KMDFHOST_HOST_DIR}/src/wdf/fxstub.c")
set(KMDFHOST_DRIVER_STUB_DEPENDS "${KMDFHOST_DRIVER_STUB_SOURCE}" "${KMDFHOST_HOST_DIR}/src/wdf/fxstub.h")
# Lazy binding: the loader binds the calls to DDIs the host lacks to reporting
# trampolines (src/ldr/imports.c) before the driver runs.
set(KMDFHOST_DRIVER_LINK_FLAGS -shared -Wl,-e,FxDriverEntry -Wl,-z,lazy -Wl,-z,muldefs)

if(CMAKE_SCRIPT_MODE_FILE STREQUAL CMAKE_CURRENT_LIST_FILE)
  # Script mode (cmake -P): print the compiler arguments, one per line, for
  # scripts/build-host-driver: flags, header folders, link flags, the stub's source.
  set(lines ${KMDFHOST_DRIVER_COMPILE_FLAGS})
  foreach(dir IN LISTS KMDFHOST_DRIVER_INCLUDE_DIRS)
    list(APPEND lines -isystem "${dir}")
  endforeach()
  list(APPEND lines ${KMDFHOST_DRIVER_LINK_FLAGS} "${KMDFHOST_DRIVER_STUB_SOURCE}")
  list(JOIN lines "\n" text)
  execute_process(COMMAND "${CMAKE_COMMAND}" -E echo "${text}")
  return()
endif()

# The headers a driver compiles against: a module is rebuilt when one of them changes
# (a layout or a value in them is compiled into the driver).
set(KMDFHOST_DRIVER_HEADER_DEPENDS "")
foreach(dir IN LISTS KMDFHOST_DRIVER_INCLUDE_DIRS)
  file(GLOB headers CONFIGURE_DEPENDS "${dir}/*.h")
  list(APPEND KMDFHOST_DRIVER_HEADER_DEPENDS ${headers})
endforeach()

# kmdfhost_add_driver(NAME OUTPUT file.so SOURCES ... [INCLUDES ...] [DEFINES ...]
#                     [MOFS file.mof=Header.h ...] [DEPENDS ...] [WERROR] [RACE])
#
# Builds a KMDF driver module with scripts/build-host-driver, exactly as a user would,
# with this build's compiler and sanitizer flags. The module lands in
# ${CMAKE_BINARY_DIR}/drivers/ and a custom target NAME stands for it. WERROR holds the
# driver to the project's own -Wall -Wextra -Werror; a foreign driver goes without it.
# RACE builds it for the schedule explorer's data race detector (build-host-driver
# --race: clang's ThreadSanitizer instrumentation, no sanitizer runtime of this build).
set(KMDFHOST_DRIVER_OUTPUT_DIR "${CMAKE_BINARY_DIR}/drivers")
file(MAKE_DIRECTORY "${KMDFHOST_DRIVER_OUTPUT_DIR}")

function(kmdfhost_add_driver name)
  cmake_parse_arguments(ARG "WERROR;RACE" "OUTPUT" "SOURCES;INCLUDES;DEFINES;DEPENDS;MOFS" ${ARGN})
  set(out "${KMDFHOST_DRIVER_OUTPUT_DIR}/${ARG_OUTPUT}")
  set(args "")
  foreach(dir IN LISTS ARG_INCLUDES)
    list(APPEND args -I "${dir}")
  endforeach()
  foreach(def IN LISTS ARG_DEFINES)
    list(APPEND args -D "${def}")
  endforeach()
  # MOF files: their headers come from the host's generator (kmdfhost-wmimofck).
  set(mof_env "")
  set(mof_depends "")
  foreach(mof IN LISTS ARG_MOFS)
    list(APPEND args --mof "${mof}")
    string(REGEX REPLACE "=.*" "" mof_file "${mof}")
    list(APPEND mof_depends "${mof_file}")
  endforeach()
  if(ARG_MOFS)
    set(mof_env "KMDFHOST_WMIMOFCK=$<TARGET_FILE:kmdfhost-wmimofck>")
    list(APPEND mof_depends kmdfhost-wmimofck)
  endif()
  set(cflags "-g ${KMDFHOST_SAN_FLAGS_STRING}")
  if(ARG_RACE)
    list(APPEND args --race)
    set(cflags "-g")
  endif()
  if(KMDFHOST_SANITIZE MATCHES "fuzzer")
    # A driver is unloaded (dlclose) at the end of every fuzz run, and libFuzzer would
    # then read the coverage counters of an unmapped module: the fuzzer follows the
    # host's coverage, where the driver's calls land, not the driver's own.
    set(cflags "-g")
  endif()
  if(ARG_WERROR)
    # The ABI exemptions again after -Wall: clang, unlike gcc, lets the later flag win.
    set(cflags "${cflags} -Wall -Wextra -Werror -Wno-multichar -Wno-unknown-pragmas")
  endif()
  add_custom_command(OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -E env "CC=${CMAKE_C_COMPILER}" "CFLAGS=${cflags}" ${mof_env}
            "${KMDFHOST_REPO_ROOT}/scripts/build-host-driver" ${args} -o "${out}" ${ARG_SOURCES}
    DEPENDS ${ARG_SOURCES} ${ARG_DEPENDS} ${mof_depends} "${KMDFHOST_REPO_ROOT}/scripts/build-host-driver"
      "${KMDFHOST_HOST_DIR}/cmake/KmdfHostDriver.cmake" ${KMDFHOST_DRIVER_STUB_DEPENDS}
      ${KMDFHOST_DRIVER_HEADER_DEPENDS}
    COMMENT "build-host-driver ${ARG_OUTPUT}"
    VERBATIM)
  add_custom_target(${name} ALL DEPENDS "${out}")
  set_property(TARGET ${name} PROPERTY KMDFHOST_DRIVER_PATH "${out}")
endfunction()
