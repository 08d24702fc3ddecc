# The include-direction check: every library file under src/aifabric/<layer>/ (and the
# command line under apps/) may include headers of its own layer and of layers below
# it, never above. Unit tests beside the code (*_test.cc) are not part of the library
# and may include any layer (e.g. to load a scenario that exercises a member). Run by the build (target check_layers) and by a test that feeds it a
# tree with a deliberate upward include (tests/layers/). Usage:
#   cmake -DROOT=<repo> [-DSRC=<dir with the layer folders>] -P cmake/check_layers.cmake
# Exits with an error listing every upward include.

# Bottom to top; docs/design.md explains what each layer holds.
set(LAYERS core net transport lb topo fabric engine control fault workload plan telemetry
           scenario apps)

if(NOT DEFINED SRC)
  set(SRC "${ROOT}/src/aifabric")
endif()

function(layer_index name out)
  list(FIND LAYERS "${name}" i)
  set(${out} ${i} PARENT_SCOPE)
endfunction()

set(violations "")
set(checked 0)
file(GLOB_RECURSE files RELATIVE "${SRC}" "${SRC}/*.h" "${SRC}/*.cc")
set(sources "")
foreach(f ${files})
  if(NOT f MATCHES "_test\\.cc$")
    list(APPEND sources "${SRC}/${f}")
  endif()
endforeach()
if(EXISTS "${ROOT}/apps/aifabric" AND SRC STREQUAL "${ROOT}/src/aifabric")
  file(GLOB app_files "${ROOT}/apps/aifabric/*.h" "${ROOT}/apps/aifabric/*.cc")
  list(APPEND sources ${app_files})
endif()

foreach(path ${sources})
  if(path MATCHES "/apps/aifabric/")
    set(own apps)
  else()
    file(RELATIVE_PATH rel "${SRC}" "${path}")
    string(REGEX REPLACE "/.*" "" own "${rel}")
  endif()
  layer_index(${own} own_i)
  if(own_i LESS 0)
    list(APPEND violations "${path}: not in a known layer (${LAYERS})")
    continue()
  endif()
  file(STRINGS "${path}" lines REGEX "^#include \"aifabric/")
  foreach(line ${lines})
    string(REGEX REPLACE "^#include \"aifabric/([^/\"]+)/.*" "\\1" inc "${line}")
    layer_index(${inc} inc_i)
    math(EXPR checked "${checked} + 1")
    if(inc_i GREATER own_i)
      list(APPEND violations "${path}: ${own} includes ${inc} (above it): ${line}")
    endif()
  endforeach()
endforeach()

list(LENGTH violations n)
if(n GREATER 0)
  string(REPLACE ";" "\n  " text "${violations}")
  message(FATAL_ERROR "include-direction check: ${n} upward include(s):\n  ${text}")
endif()
message(STATUS "include-direction check: ${checked} includes, all downward or sideways")
