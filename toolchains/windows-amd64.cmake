# SPDX-License-Identifier: MIT
# windows-amd64 release binary: MinGW-w64 GCC with POSIX threads (Debian's g++-mingw-w64-x86-64-posix), linked
# -static, so it imports only DLLs that ship with Windows.
set(DOKPLOY_PROVIDER_PLATFORM windows-amd64)
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
include("${CMAKE_CURRENT_LIST_DIR}/common.cmake")

set(_mingw x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${_mingw}-gcc-posix)
set(CMAKE_CXX_COMPILER ${_mingw}-g++-posix)
set(CMAKE_RC_COMPILER ${_mingw}-windres)
set(CMAKE_AR ${_mingw}-ar CACHE FILEPATH "Archiver")
set(CMAKE_RANLIB ${_mingw}-ranlib CACHE FILEPATH "Archive indexer")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
