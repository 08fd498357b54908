# Warnings for our own targets only (never propagated to consumers).
add_library(dg_warnings INTERFACE)
target_compile_options(dg_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  -Wold-style-cast -Woverloaded-virtual -Wimplicit-fallthrough -Wformat=2 -Werror=vla)
if(DG_WERROR)
  target_compile_options(dg_warnings INTERFACE -Werror)
endif()
