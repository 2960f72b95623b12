# depinsim::warnings — the warning set every depinsim target compiles with.
add_library(depinsim_warnings INTERFACE)
target_compile_options(depinsim_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual -Wcast-align
  -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough -Wmissing-declarations
  # GCC 12 reports false -Wrestrict positives inside libstdc++'s std::string (GCC bug 105329).
  -Wno-restrict)
option(DEPINSIM_WERROR "Treat warnings as errors" OFF)
if(DEPINSIM_WERROR)
  target_compile_options(depinsim_warnings INTERFACE -Werror)
endif()
add_library(depinsim::warnings ALIAS depinsim_warnings)
