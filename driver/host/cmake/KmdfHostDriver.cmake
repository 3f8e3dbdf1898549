# kmdfhost_add_driver(NAME OUTPUT file.so SOURCES ... [INCLUDES ...] [DEFINES ...]
#                     [DEPENDS ...] [WERROR])
#
# Builds a KMDF driver module with scripts/build-host-driver, exactly as a user would,
# with this build's compiler and sanitizer flags. The module lands in
# ${CMAKE_BINARY_DIR}/drivers/ and a custom target NAME stands for it. WERROR holds the
# driver to the project's own -Wall -Wextra -Werror; a foreign driver goes without it.
set(KMDFHOST_DRIVER_OUTPUT_DIR "${CMAKE_BINARY_DIR}/drivers")
file(MAKE_DIRECTORY "${KMDFHOST_DRIVER_OUTPUT_DIR}")

function(kmdfhost_add_driver name)
  cmake_parse_arguments(ARG "WERROR" "OUTPUT" "SOURCES;INCLUDES;DEFINES;DEPENDS" ${ARGN})
  set(out "${KMDFHOST_DRIVER_OUTPUT_DIR}/${ARG_OUTPUT}")
  set(args "")
  foreach(dir IN LISTS ARG_INCLUDES)
    list(APPEND args -I "${dir}")
  endforeach()
  foreach(def IN LISTS ARG_DEFINES)
    list(APPEND args -D "${def}")
  endforeach()
  set(cflags "-g ${KMDFHOST_SAN_FLAGS_STRING}")
  if(ARG_WERROR)
    set(cflags "${cflags} -Wall -Wextra -Werror")
  endif()
  add_custom_command(OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -E env "CC=${CMAKE_C_COMPILER}" "CFLAGS=${cflags}"
            "${KMDFHOST_REPO_ROOT}/scripts/build-host-driver" ${args} -o "${out}" ${ARG_SOURCES}
    DEPENDS ${ARG_SOURCES} ${ARG_DEPENDS} "${KMDFHOST_REPO_ROOT}/scripts/build-host-driver"
      ${CMAKE_CURRENT_LIST_FILE}
    COMMENT "build-host-driver ${ARG_OUTPUT}"
    VERBATIM)
  add_custom_target(${name} ALL DEPENDS "${out}")
  set_property(TARGET ${name} PROPERTY KMDFHOST_DRIVER_PATH "${out}")
endfunction()
