# Packaging test (cmake -P): installs the build into a scratch prefix,
# checks the installed layout, then configures, builds and runs the
# consumer project against it with find_package(tspar CONFIG).
#
# -D: BUILD_DIR SCRATCH CONSUMER_DIR DATA C_COMPILER VERSION SONAME LIBDIR
cmake_minimum_required(VERSION 3.16)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

function(expect_symlink path target)
  if(NOT IS_SYMLINK "${path}")
    message(FATAL_ERROR "${path} is not a symlink")
  endif()
  file(READ_SYMLINK "${path}" got)
  if(NOT got STREQUAL target)
    message(FATAL_ERROR "${path} points to '${got}', expected '${target}'")
  endif()
endfunction()

file(REMOVE_RECURSE "${SCRATCH}")
set(prefix "${SCRATCH}/prefix")
run("${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${prefix}")

set(lib "${prefix}/${LIBDIR}")
foreach(f "${lib}/libtspar.so.${VERSION}" "${lib}/libtspar.a" "${prefix}/include/tspar.h"
          "${lib}/cmake/tspar/tsparConfig.cmake" "${lib}/cmake/tspar/tsparConfigVersion.cmake"
          "${lib}/pkgconfig/tspar.pc")
  if(NOT EXISTS "${f}" OR IS_SYMLINK "${f}")
    message(FATAL_ERROR "not installed as a file: ${f}")
  endif()
endforeach()
expect_symlink("${lib}/${SONAME}" "libtspar.so.${VERSION}")
expect_symlink("${lib}/libtspar.so" "${SONAME}")

find_program(READELF readelf)
if(READELF)
  run("${READELF}" -d "${lib}/libtspar.so.${VERSION}")
  if(NOT run_output MATCHES "Library soname: \\[${SONAME}\\]")
    message(FATAL_ERROR "installed library lacks SONAME ${SONAME}:\n${run_output}")
  endif()
endif()

# Build and run the consumers, once as a user would.
set(build "${SCRATCH}/consumer-build")
run("${CMAKE_COMMAND}" -S "${CONSUMER_DIR}" -B "${build}" "-DCMAKE_PREFIX_PATH=${prefix}"
    "-DCMAKE_C_COMPILER=${C_COMPILER}" -DCMAKE_BUILD_TYPE=Release)
run("${CMAKE_COMMAND}" --build "${build}")
foreach(exe consumer_shared consumer_static)
  run("${build}/${exe}" "${DATA}" "${SCRATCH}")
  message(STATUS "${exe}: ${run_output}")
endforeach()

if(READELF)
  run("${READELF}" -d "${build}/consumer_shared")
  if(NOT run_output MATCHES "Shared library: \\[${SONAME}\\]")
    message(FATAL_ERROR "consumer_shared does not load ${SONAME}:\n${run_output}")
  endif()
  run("${READELF}" -d "${build}/consumer_static")
  if(run_output MATCHES "libtspar")
    message(FATAL_ERROR "consumer_static still loads libtspar:\n${run_output}")
  endif()
endif()

# The version file: this release satisfies 0.1 and itself, not 0.2 or 1.0.
foreach(wanted 0.2 1.0)
  execute_process(COMMAND "${CMAKE_COMMAND}" -S "${CONSUMER_DIR}" -B "${SCRATCH}/reject-${wanted}"
                          "-DCMAKE_PREFIX_PATH=${prefix}" "-DTSPAR_WANTED_VERSION=${wanted}"
                  RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
  if(rc EQUAL 0)
    message(FATAL_ERROR "find_package(tspar ${wanted}) accepted version ${VERSION}")
  endif()
endforeach()
run("${CMAKE_COMMAND}" -S "${CONSUMER_DIR}" -B "${SCRATCH}/accept-exact"
    "-DCMAKE_PREFIX_PATH=${prefix}" "-DTSPAR_WANTED_VERSION=${VERSION}")
message(STATUS "package_cmake: ok")
