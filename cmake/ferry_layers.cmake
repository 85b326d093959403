# Layers as build targets (DESIGN 9, issue 15).
#
# Each folder of src/ferry/ is one static library, and so is each plugin under plugins/<name>/. A
# target links only the layers below it and only the third-party libraries it uses, and it can
# include only their headers: its include path is not src/ but build/layers/<target>/, a folder of
# symbolic links made at configure time holding ferry/<layer> for its own folder and for each
# layer it links, directly or through another. So an upward include (the engine reaching into a
# plugin, a plugin into the scheduler) fails to compile with
#   fatal error: ferry/schedule/store.h: No such file or directory
# and so does a third-party header of a library the target does not link: their include paths and
# defines are PRIVATE to the targets that use them. To add a dependency, add it to the layer's
# DEPS below; if that makes a cycle, the code is in the wrong layer.
#
# A layer may be linked for its symbols without seeing all its headers (LINK_ONLY) and may see
# single headers of a layer it does not otherwise see (HEADERS): the scheduler's PostgreSQL store
# sees only the store interface, ferry/schedule/store_backend.h.

set(FERRY_LAYER_ROOT ${CMAKE_BINARY_DIR}/layers)

# Most client libraries install their headers straight into /usr/include, where every file could
# reach them whatever it links; so the build also reads the #include <...> lines of each layer and
# fails when one names a header of a library the layer does not link (build step layer_includes,
# cmake/check_layer_includes.cmake). The headers of each library, as regular expressions:
set(FERRY_LIBRARY_HEADERS
    "PkgConfig::LIBPQ=^(libpq-fe\\.h|libpq/|pg_config)"
    "PkgConfig::MARIADB=^(mysql\\.h|mysqld_error\\.h|errmsg\\.h|mariadb/)"
    "PkgConfig::YAMLCPP=^yaml-cpp/"
    "PkgConfig::HTTPLIB=^httplib\\.h"
    "SQLite::SQLite3=^sqlite3\\.h"
    "date::date-tz=^date/"
    "MPI::MPI_C=^mpi\\.h"
    "ZLIB::ZLIB=^zlib\\.h"
    "PkgConfig::ZSTD=^zstd\\.h"
    "OpenSSL::Crypto=^openssl/"
    "CLI11::CLI11=^CLI/")
set(FERRY_LAYER_MANIFEST ${CMAKE_BINARY_DIR}/layer_includes.manifest)
file(WRITE ${FERRY_LAYER_MANIFEST} "")
foreach(entry ${FERRY_LIBRARY_HEADERS})
  string(REGEX MATCH "^([^=]*)=(.*)$" _ "${entry}")
  file(APPEND ${FERRY_LAYER_MANIFEST} "library\t${CMAKE_MATCH_1}\t${CMAKE_MATCH_2}\n")
endforeach()

# A path of the tree ("src/ferry/common", "plugins/postgresql", "src/ferry/schedule/store_backend.h")
# as the header path code writes in an #include ("ferry/common", "plugins/postgresql", ...).
function(ferry_include_path out path)
  string(REGEX REPLACE "^src/" "" rel "${path}")
  set(${out} "${rel}" PARENT_SCOPE)
endfunction()

# Makes build/layers/<target>/ hold one symbolic link per visible path; a path inside another
# visible folder is already reachable through that folder's link.
function(ferry_make_include_farm target paths)
  set(farm ${FERRY_LAYER_ROOT}/${target})
  file(REMOVE_RECURSE ${farm})
  file(MAKE_DIRECTORY ${farm})
  foreach(path ${paths})
    set(covered FALSE)
    foreach(other ${paths})
      if(NOT other STREQUAL path AND path MATCHES "^${other}/")
        set(covered TRUE)
      endif()
    endforeach()
    if(covered)
      continue()
    endif()
    ferry_include_path(rel ${path})
    get_filename_component(parent ${farm}/${rel} DIRECTORY)
    file(MAKE_DIRECTORY ${parent})
    file(CREATE_LINK ${PROJECT_SOURCE_DIR}/${path} ${farm}/${rel} SYMBOLIC)
  endforeach()
  target_include_directories(${target} PRIVATE ${farm})
endfunction()

# ferry_layer(<target> [OBJECT] DIRS <folders> [SOURCES <extra .cc>] [EXCLUDE <regex>...]
#             [DEPS <layers>] [LINK_ONLY <layers>] [HEADERS <single headers>]
#             [PUBLIC_LIBS <libs>] [PRIVATE_LIBS <libs>])
# DIRS: the folders (relative to the checkout) whose *.cc files, tests excepted, make the library;
# their headers are visible to the layer and to every layer above it. OBJECT: its object files go
# straight into each binary that links it (for code a lower layer calls by a declared hook).
function(ferry_layer target)
  cmake_parse_arguments(L "OBJECT" ""
      "DIRS;SOURCES;EXCLUDE;DEPS;LINK_ONLY;HEADERS;PUBLIC_LIBS;PRIVATE_LIBS" ${ARGN})
  ferry_glob_dirs(sources "${L_DIRS}" "*.cc")
  list(APPEND sources ${L_SOURCES})
  foreach(pattern ${L_EXCLUDE})
    list(FILTER sources EXCLUDE REGEX "${pattern}")
  endforeach()
  if(L_OBJECT)
    add_library(${target} OBJECT ${sources})
  else()
    add_library(${target} STATIC ${sources})
  endif()
  target_link_libraries(${target} PUBLIC ${L_DEPS} ${L_LINK_ONLY} ${L_PUBLIC_LIBS}
                        PRIVATE ${L_PRIVATE_LIBS})
  if(FERRY_PCH_TARGET)
    target_precompile_headers(${target} REUSE_FROM ${FERRY_PCH_TARGET})
  endif()

  ferry_place_target(${target} DIRS ${L_DIRS} HEADERS ${L_HEADERS} SOURCES ${sources}
                     DEPS ${L_DEPS} PUBLIC_LIBS ${L_PUBLIC_LIBS} PRIVATE_LIBS ${L_PRIVATE_LIBS})
endfunction()

# ferry_place_target(<target> DIRS ... [HEADERS ...] SOURCES ... [DEPS <layers>] [PUBLIC_LIBS ...]
#                    [PRIVATE_LIBS ...])
# What a layer or the binary may see, made from what it links: its include farm (its own folders
# and single headers, and what each layer in DEPS sees), the libraries whose headers it may include
# (its own and those its layers export), its line in the include check's manifest, and its sources
# counted as placed. ferry_layer calls it for each library; the binary's CMakeLists calls it once.
function(ferry_place_target target)
  cmake_parse_arguments(T "" "" "DIRS;HEADERS;SOURCES;DEPS;PUBLIC_LIBS;PRIVATE_LIBS" ${ARGN})
  set(visible ${T_DIRS} ${T_HEADERS})
  set(libraries ${T_PUBLIC_LIBS} ${T_PRIVATE_LIBS})
  set(exported ${T_PUBLIC_LIBS})
  foreach(dep ${T_DEPS})
    get_target_property(dep_visible ${dep} FERRY_VISIBLE)
    get_target_property(dep_exported ${dep} FERRY_EXPORTED_LIBS)
    list(APPEND visible ${dep_visible})
    list(APPEND libraries ${dep_exported})
    list(APPEND exported ${dep_exported})
  endforeach()
  list(REMOVE_DUPLICATES visible)
  set_target_properties(${target} PROPERTIES FERRY_VISIBLE "${visible}"
                        FERRY_EXPORTED_LIBS "${exported}")
  ferry_make_include_farm(${target} "${visible}")
  set_property(GLOBAL APPEND PROPERTY FERRY_LAYER_SOURCES ${T_SOURCES})
  ferry_record_layer_files(${target} "${T_DIRS}" "${T_SOURCES}" "${libraries}")
endfunction()

# The files of the given folders (not their subfolders) matching a glob, tests left out.
function(ferry_glob_dirs out dirs glob)
  set(files)
  foreach(dir ${dirs})
    file(GLOB found CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/${dir}/${glob})
    list(APPEND files ${found})
  endforeach()
  list(FILTER files EXCLUDE REGEX "(_test\\.cc|_test_util\\.h)$")
  set(${out} ${files} PARENT_SCOPE)
endfunction()

# The manifest: one line "library <library> <regex of its headers>" per library, then one line
# "layer <target> <its files> <libraries it may include>" per layer (fields separated by tabs,
# lists joined by ',').
function(ferry_record_layer_files target dirs sources libraries)
  ferry_glob_dirs(headers "${dirs}" "*.h")
  set(files ${sources} ${headers})
  list(FILTER files EXCLUDE REGEX "^${CMAKE_BINARY_DIR}/")  # generated sources
  list(REMOVE_DUPLICATES libraries)
  string(REPLACE ";" "," files_text "${files}")
  string(REPLACE ";" "," libraries_text "${libraries}")
  file(APPEND ${FERRY_LAYER_MANIFEST} "layer\t${target}\t${files_text}\t${libraries_text}\n")
  set_property(GLOBAL APPEND PROPERTY FERRY_LAYER_FILES ${files})
endfunction()

# The build step that reads every layer's includes; every layer's library waits for it.
function(ferry_add_layer_include_check)
  get_property(files GLOBAL PROPERTY FERRY_LAYER_FILES)
  set(stamp ${CMAKE_BINARY_DIR}/layer_includes.stamp)
  add_custom_command(
    OUTPUT ${stamp}
    COMMAND ${CMAKE_COMMAND} -DMANIFEST=${FERRY_LAYER_MANIFEST} -DSOURCE_DIR=${PROJECT_SOURCE_DIR} -P ${PROJECT_SOURCE_DIR}/cmake/check_layer_includes.cmake
    COMMAND ${CMAKE_COMMAND} -E touch ${stamp}
    DEPENDS ${files} ${FERRY_LAYER_MANIFEST} ${PROJECT_SOURCE_DIR}/cmake/check_layer_includes.cmake
    COMMENT "Checking each layer includes only the libraries it links")
  add_custom_target(layer_includes DEPENDS ${stamp})
  foreach(target ${ARGN})
    add_dependencies(${target} layer_includes)
  endforeach()
endfunction()

# Every source file of src/ and plugins/ belongs to a layer: a new folder has to be given one
# (and with it its place among the layers) before it builds.
function(ferry_check_every_source_has_a_layer)
  file(GLOB_RECURSE all CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/*.cc
       ${PROJECT_SOURCE_DIR}/plugins/*.cc)
  list(FILTER all EXCLUDE REGEX "_test\\.cc$")
  get_property(placed GLOBAL PROPERTY FERRY_LAYER_SOURCES)
  foreach(file ${all})
    if(NOT file IN_LIST placed)
      file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${file})
      message(FATAL_ERROR "${rel} is in no layer: give its folder a ferry_layer() in "
                          "cmake/ferry_layers.cmake (or add it to the binary's sources)")
    endif()
  endforeach()
endfunction()

# Tests that the layers hold (tests/layers/): a probe file compiled with a layer's include path
# must fail on the header it may not see, with the compiler's own message; a probe of what the
# layer may include must compile, so the failing probes fail for the right reason.
function(ferry_layer_probe_test name target probe)
  cmake_parse_arguments(P "" "MISSING" "" ${ARGN})
  add_test(NAME layers.${name}
           COMMAND ${CMAKE_CXX_COMPILER} -std=gnu++20 -fsyntax-only -I${FERRY_LAYER_ROOT}/${target}
                   ${PROJECT_SOURCE_DIR}/tests/layers/${probe})
  if(P_MISSING)
    string(REPLACE "." "\\." missing_pattern "${P_MISSING}")
    set_tests_properties(layers.${name} PROPERTIES
                         PASS_REGULAR_EXPRESSION "${missing_pattern}: No such file or directory")
  endif()
endfunction()

# The include check run over a manifest naming one probe header that includes yaml-cpp in a layer
# that does not link it: the step must fail and name the file, the header and the library.
function(ferry_layer_include_check_test)
  set(manifest ${CMAKE_BINARY_DIR}/layer_includes_probe.manifest)
  file(STRINGS ${FERRY_LAYER_MANIFEST} library_lines REGEX "^library\t")
  string(REPLACE ";" "\n" library_text "${library_lines}")
  file(WRITE ${manifest} "${library_text}\nlayer\tferry_probe\t"
       "${PROJECT_SOURCE_DIR}/tests/layers/includes_unlinked_library.h\tfmt::fmt\n")
  add_test(NAME layers.include_of_an_unlinked_library_fails_the_build
           COMMAND ${CMAKE_COMMAND} -DMANIFEST=${manifest} -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
                   -P ${PROJECT_SOURCE_DIR}/cmake/check_layer_includes.cmake)
  set_tests_properties(layers.include_of_an_unlinked_library_fails_the_build PROPERTIES
      PASS_REGULAR_EXPRESSION
      "tests/layers/includes_unlinked_library.h: #include <yaml-cpp/yaml.h>, but ferry_probe does not link PkgConfig::YAMLCPP")
endfunction()
