# Regenerates the parameter table in scenarios/README.md from the declarations in the code
# (`depinsim help params --markdown`). Run through the `scenario-docs` target:
#   cmake --build --preset release --target scenario-docs
# A test (cli: scenarios/README.md lists every parameter) fails when the table is out of date.
execute_process(COMMAND "${DEPINSIM}" help params --markdown
  OUTPUT_VARIABLE table RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "depinsim help params failed (${rc})")
endif()
file(READ "${README}" text)
string(FIND "${text}" "<!-- params:begin -->" begin)
string(FIND "${text}" "<!-- params:end -->" end)
if(begin EQUAL -1 OR end EQUAL -1)
  message(FATAL_ERROR "${README}: missing the <!-- params:begin --> / <!-- params:end --> markers")
endif()
string(LENGTH "<!-- params:begin -->" marker)
math(EXPR after_begin "${begin} + ${marker}")
string(SUBSTRING "${text}" 0 ${after_begin} head)
string(SUBSTRING "${text}" ${end} -1 tail)
file(WRITE "${README}" "${head}\n${table}${tail}")
