# SPDX-License-Identifier: MIT
# Resolves DOKPLOY_PROVIDER_VERSION (latest git tag via `git describe`, else the project version)
# and DOKPLOY_PROVIDER_COMMIT (short hash, or "unknown" outside a git checkout).
find_package(Git QUIET)
set(DOKPLOY_PROVIDER_COMMIT "unknown")
if(GIT_FOUND AND EXISTS "${PROJECT_SOURCE_DIR}/.git")
  execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse --short=12 HEAD
                  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                  OUTPUT_VARIABLE _commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE _rc)
  if(_rc EQUAL 0 AND _commit)
    set(DOKPLOY_PROVIDER_COMMIT "${_commit}")
  endif()
  if(NOT DOKPLOY_PROVIDER_VERSION)
    execute_process(COMMAND ${GIT_EXECUTABLE} describe --tags --match "v[0-9]*" --abbrev=0
                    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                    OUTPUT_VARIABLE _tag OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE _rc)
    if(_rc EQUAL 0 AND _tag)
      string(REGEX REPLACE "^v" "" DOKPLOY_PROVIDER_VERSION "${_tag}")
    endif()
  endif()
endif()
if(NOT DOKPLOY_PROVIDER_VERSION)
  set(DOKPLOY_PROVIDER_VERSION "${PROJECT_VERSION}")
endif()
message(STATUS "dokploy-provider ${DOKPLOY_PROVIDER_VERSION} (${DOKPLOY_PROVIDER_COMMIT})")
