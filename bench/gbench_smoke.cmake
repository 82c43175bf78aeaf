# gbench_smoke.cmake: runs the Google Benchmark shim on the scalar set for a moment
# (cmake -DEXE=... -DOUT=... -P gbench_smoke.cmake) and checks that it succeeds and
# writes JSON with a context block and a non-empty benchmarks list.
file(REMOVE "${OUT}")
execute_process(COMMAND "${EXE}" --benchmark_min_time=0.01 --benchmark_filter=/scalar/
                        "--benchmark_out=${OUT}" --benchmark_out_format=json
                RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gbench smoke: ${EXE} exited with ${rc}")
endif()
if(NOT EXISTS "${OUT}")
  message(FATAL_ERROR "gbench smoke: no JSON written to ${OUT}")
endif()
file(READ "${OUT}" json)
string(JSON n ERROR_VARIABLE jerr LENGTH "${json}" benchmarks)
if(jerr OR n EQUAL 0)
  message(FATAL_ERROR "gbench smoke: ${OUT}: no benchmarks list (${jerr})")
endif()
string(JSON host ERROR_VARIABLE jerr GET "${json}" context host_name)
if(jerr)
  message(FATAL_ERROR "gbench smoke: ${OUT}: no context block (${jerr})")
endif()
string(JSON first GET "${json}" benchmarks 0 name)
string(JSON rate ERROR_VARIABLE jerr GET "${json}" benchmarks 0 "FLOP/s")
if(jerr)
  message(FATAL_ERROR "gbench smoke: ${first} has no FLOP/s counter")
endif()
message(STATUS "gbench smoke: ${n} benchmarks, first ${first} at ${rate} FLOP/s")
