# check_surface.cmake - the host's KMDF headers declare every KMDF 1.15 function, with
# the number of parameters a driver passes:
#
#   cmake -DCC=cc -DSOURCE=surface.c -DLIST=kmdf-1.15-functions.txt -DWORK=dir
#         -DFLAGS="flag|flag|..." -P check_surface.cmake
#
# SOURCE is compiled with the driver flags FLAGS and -aux-info, which writes one line
# per declared function with its parameter types. Each "Name Count" line of LIST must
# have a declaration of Name with Count parameters. Prints one line per missing or
# different function and fails when there is any.
cmake_minimum_required(VERSION 3.20)
foreach(var CC SOURCE LIST WORK)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_surface.cmake: -D${var}=... is required")
  endif()
endforeach()
string(REPLACE "|" ";" FLAGS "${FLAGS}")
file(MAKE_DIRECTORY "${WORK}")
set(aux "${WORK}/surface.aux")
execute_process(COMMAND "${CC}" ${FLAGS} -Wall -Wextra -Werror -c "${SOURCE}" -o "${WORK}/surface.o"
                        -aux-info "${aux}"
                RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "the KMDF headers do not compile cleanly:\n${out}${err}")
endif()

# Name -> parameter count, from the -aux-info lines "/* file:line:NC */ extern R Name (T, T);".
file(STRINGS "${aux}" lines)
foreach(line IN LISTS lines)
  if(line MATCHES "[ *]([A-Za-z_][A-Za-z0-9_]*) \\((.*)\\);$")
    set(name "${CMAKE_MATCH_1}")
    set(params "${CMAKE_MATCH_2}")
    # Drop nested parentheses (function pointer parameters), innermost first.
    set(previous "")
    while(NOT params STREQUAL previous)
      set(previous "${params}")
      string(REGEX REPLACE "\\([^()]*\\)" "" params "${params}")
    endwhile()
    string(STRIP "${params}" params)
    if(params STREQUAL "void" OR params STREQUAL "")
      set(count 0)
    else()
      string(REGEX REPLACE "[^,]" "" commas "${params}")
      string(LENGTH "${commas}" count)
      math(EXPR count "${count} + 1")
    endif()
    set(declared_${name} ${count})
  endif()
endforeach()

set(failures 0)
set(checked 0)
file(STRINGS "${LIST}" expected)
foreach(entry IN LISTS expected)
  if(NOT entry MATCHES "^([A-Za-z_][A-Za-z0-9_]*) ([0-9]+)$")
    continue()
  endif()
  set(name "${CMAKE_MATCH_1}")
  set(count "${CMAKE_MATCH_2}")
  math(EXPR checked "${checked} + 1")
  if(NOT DEFINED declared_${name})
    message("surface: ${name} is not declared (KMDF 1.15 declares it with ${count} parameter(s))")
    math(EXPR failures "${failures} + 1")
  elseif(NOT declared_${name} EQUAL count)
    message("surface: ${name} is declared with ${declared_${name}} parameter(s), KMDF 1.15 with ${count}")
    math(EXPR failures "${failures} + 1")
  endif()
endforeach()
if(checked LESS 400)
  message(FATAL_ERROR "surface: only ${checked} functions in ${LIST}; the list is damaged")
endif()
if(failures GREATER 0)
  message(FATAL_ERROR "surface: ${failures} of ${checked} KMDF 1.15 functions missing or different")
endif()
message("surface: all ${checked} KMDF 1.15 functions are declared with their parameter counts")
