# Provenance written into every output file: the version and the git commit of the build.
execute_process(
  COMMAND git rev-parse --short=12 HEAD
  WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
  OUTPUT_VARIABLE DEPINSIM_GIT_COMMIT OUTPUT_STRIP_TRAILING_WHITESPACE
  ERROR_QUIET RESULT_VARIABLE _git_rc)
if(NOT _git_rc EQUAL 0 OR DEPINSIM_GIT_COMMIT STREQUAL "")
  set(DEPINSIM_GIT_COMMIT "unknown")
endif()
