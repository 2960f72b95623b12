# The kernel (sim/) must know nothing of the DePIN domain (models/). Linking already runs one way
# only (depinsim::models links depinsim::sim); this check also refuses any sim/ source that
# includes a models/ or cli/ header, at configure time, so the rule cannot be broken by accident.
# Also runnable as a script (cmake -DPROJECT_SOURCE_DIR=... -P LayerCheck.cmake), as a test does.
if(CMAKE_SCRIPT_MODE_FILE)
  set(_depends "")
else()
  set(_depends CONFIGURE_DEPENDS)
endif()
file(GLOB_RECURSE _depinsim_sim_sources ${_depends}
  "${PROJECT_SOURCE_DIR}/sim/*.hpp" "${PROJECT_SOURCE_DIR}/sim/*.cpp")
foreach(_src IN LISTS _depinsim_sim_sources)
  file(STRINGS "${_src}" _bad REGEX "#[ \t]*include[ \t]*[<\"](\\.\\./)*(models|cli)/")
  if(_bad)
    file(RELATIVE_PATH _rel "${PROJECT_SOURCE_DIR}" "${_src}")
    message(FATAL_ERROR "${_rel}: the kernel (sim/) may not include models/ or cli/: ${_bad}")
  endif()
endforeach()
