# unpack.cmake: one embedded data file decompressed for the build's data folder, and
# checked against the checksums of the decompressed files (data/mnist/SHA256SUMS.raw).
#   cmake -DIN=dir/name.gz -DOUT=build/data/mnist/name -DSUMS=dir/SHA256SUMS.raw -P unpack.cmake
# Written to OUT.part and renamed, so an interrupted or failed run leaves no OUT.
find_program(GZIP gzip REQUIRED)
execute_process(COMMAND ${GZIP} -dc ${IN} OUTPUT_FILE ${OUT}.part RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(REMOVE ${OUT}.part)
  message(FATAL_ERROR "${IN}: cannot decompress (gzip: ${rc})")
endif()
get_filename_component(name ${OUT} NAME)
file(STRINGS ${SUMS} line REGEX "  ${name}$")
string(REGEX MATCH "^[0-9a-f]+" want "${line}")
file(SHA256 ${OUT}.part got)
if(NOT want OR NOT got STREQUAL want)
  file(REMOVE ${OUT}.part)
  message(FATAL_ERROR "${IN}: decompressed SHA-256 ${got}, expected '${want}' (${SUMS})")
endif()
file(RENAME ${OUT}.part ${OUT})
