# Compiles a Redis Functions library into a C++ source. A library may be written as several
# .lua files (one per state machine); they are joined in the order given into one library, so
# they share its local helpers (a helper file such as common/redis/audit_chain.lua goes before
# the files that use it). The "#!lua name=<library>" line is written here. The library's
# version is the hash of the joined text, so any change is reloaded by ensure_functions() at
# start-up.
# Usage: piket_embed_lua(<target> <lua file> <library name> <C++ function name> [<lua file>...])
function(piket_embed_lua target first_lua_file library function_name)
  set(lua_text "#!lua name=${library}\n")
  foreach(lua_file IN ITEMS ${first_lua_file} ${ARGN})
    file(READ ${lua_file} part)
    string(APPEND lua_text "${part}\n")
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${lua_file})
  endforeach()
  string(SHA1 lua_hash "${lua_text}")
  string(SUBSTRING ${lua_hash} 0 12 lua_version)
  string(REPLACE "@PIKET_LUA_VERSION@" "${lua_version}" lua_text "${lua_text}")
  set(PIKET_LUA_LIBRARY ${library})
  set(PIKET_LUA_VERSION ${lua_version})
  set(PIKET_LUA_TEXT "${lua_text}")
  set(PIKET_LUA_FUNCTION ${function_name})
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${library}_lua.cpp)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/embedded_lua.cpp.in ${out} @ONLY)
  target_sources(${target} PRIVATE ${out})
endfunction()
