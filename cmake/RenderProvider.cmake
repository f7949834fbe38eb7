# SPDX-License-Identifier: MIT
# Renders provider.yaml into OUTPUT. Run as
#   cmake -DTEMPLATE=provider.yaml -DOUTPUT=dist/provider.dev.yaml -DVERSION=0.1.0 \
#         -DBINARIES="os/arch=path-or-url[=local-file]|..." [-DAGENT_BINARIES="..."] -P cmake/RenderProvider.cmake
# Each BINARIES entry names the platform, what DevPod downloads or runs (path or URL) and, optionally, the local
# file whose SHA-256 becomes the checksum (plain lowercase hex, as DevPod wants). Without a file the entry has no
# checksum: DevPod then only checks that the file exists, so a rebuilt local binary runs without
# `devpod provider update` (the development loop; DevPod deletes a local binary whose checksum is stale).
# AGENT_BINARIES (same syntax) are what DevPod's agent downloads into the machine for auto-stop: they must be
# URLs the machine can reach. Unset, they are the linux entries of BINARIES; set but empty, the manifest has no
# agent binaries and no shutdown hook (the block between the AUTO_STOP markers is dropped).
cmake_minimum_required(VERSION 3.25)

# Renders one list of entries as manifest items, indented for `binaries.<NAME>:`.
function(render_entries entries_text only_os out_var)
  string(REPLACE "|" ";" entries "${entries_text}")
  set(block "")
  foreach(entry IN LISTS entries)
    string(REPLACE "=" ";" parts "${entry}")
    list(LENGTH parts count)
    list(GET parts 0 platform)
    list(GET parts 1 location)
    string(REPLACE "/" ";" platform_parts "${platform}")
    list(GET platform_parts 0 os)
    list(GET platform_parts 1 arch)
    if(only_os AND NOT os STREQUAL only_os)
      continue()
    endif()
    string(APPEND block "      - os: ${os}\n        arch: ${arch}\n        path: ${location}\n")
    if(count GREATER 2)
      list(GET parts 2 file)
      if(NOT EXISTS "${file}")
        message(FATAL_ERROR "binary ${file} for ${platform} does not exist")
      endif()
      file(SHA256 "${file}" checksum)
      string(APPEND block "        checksum: ${checksum}\n")
    endif()
  endforeach()
  string(REGEX REPLACE "\n$" "" block "${block}")
  set(${out_var} "${block}" PARENT_SCOPE)
endfunction()

render_entries("${BINARIES}" "" BINARIES_BLOCK)
if(DEFINED AGENT_BINARIES)
  render_entries("${AGENT_BINARIES}" "" AGENT_BLOCK)
else()
  render_entries("${BINARIES}" "linux" AGENT_BLOCK)
endif()

file(READ "${TEMPLATE}" text)
if(AGENT_BLOCK STREQUAL "")
  string(REGEX REPLACE "[ ]*#@AUTO_STOP_BEGIN@.*#@AUTO_STOP_END@\n" "" text "${text}")
else()
  string(REGEX REPLACE "[ ]*#@AUTO_STOP_(BEGIN|END)@\n" "" text "${text}")
endif()
string(REPLACE "@VERSION@" "${VERSION}" text "${text}")
string(REPLACE "@BINARIES@" "${BINARIES_BLOCK}" text "${text}")
string(REPLACE "@AGENT_BINARIES@" "${AGENT_BLOCK}" text "${text}")
file(WRITE "${OUTPUT}" "${text}")
message(STATUS "wrote ${OUTPUT}")
