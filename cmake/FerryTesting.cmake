# ferry_test(<name> SOURCES <files>... [DEPS <targets>...] [LABELS <labels>...])
#
# One GoogleTest binary per call, registered with CTest through gtest_discover_tests so every
# TEST() is its own CTest case. Labels: "unit" (default), "privileged" (needs root: netns,
# BPF), "integration", "slow". CI runs every label.
include(GoogleTest)

function(ferry_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  ferry_executable(${name} MODULE test SOURCES ${T_SOURCES}
                   DEPS ${T_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  # The label list's ';' must survive gtest_discover_tests' own argument handling, or every
  # label but the first is read as a property name.
  string(REPLACE ";" "\\;" labels "${T_LABELS}")
  gtest_discover_tests(${name}
    PROPERTIES LABELS "${labels}" TIMEOUT ${T_TIMEOUT}
    DISCOVERY_TIMEOUT 60)
endfunction()

# ferry_fuzz_target(<name> SOURCES <files>... [DEPS <targets>...] CORPUS <dir> [SECONDS <n>])
#
# <files> define LLVMFuzzerTestOneInput. In the clang preset "fuzz" (FERRY_FUZZ) this is a
# libFuzzer binary under ASan+UBSan, and CTest case <name> (label "fuzz") fuzzes for <n> seconds
# (default 60) from the seed corpus, failing on any finding; crashing inputs land next to the
# binary as <name>-crash-*. In every other build the same code is linked with a replay main and
# CTest case <name>_replay (label "unit") runs each seed once, so seeds and past findings stay
# regression tests under GCC and the ASan preset too.
function(ferry_fuzz_target name)
  cmake_parse_arguments(F "" "CORPUS;SECONDS" "SOURCES;DEPS" ${ARGN})
  if(NOT F_SECONDS)
    set(F_SECONDS 60)
  endif()
  if(FERRY_FUZZ)
    ferry_executable(${name} MODULE test SOURCES ${F_SOURCES} DEPS ${F_DEPS})
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    # libFuzzer writes new inputs into the first directory; the seeds stay read-only.
    set(work ${CMAKE_CURRENT_BINARY_DIR}/${name}.corpus)
    file(MAKE_DIRECTORY ${work})
    add_test(NAME ${name}
      COMMAND ${name} -max_total_time=${F_SECONDS} -timeout=10 -rss_limit_mb=2048
              -print_final_stats=1 -artifact_prefix=${CMAKE_CURRENT_BINARY_DIR}/${name}-
              ${work} ${F_CORPUS})
    math(EXPR limit "${F_SECONDS} + 120")
    set_tests_properties(${name} PROPERTIES LABELS fuzz TIMEOUT ${limit})
  else()
    ferry_executable(${name} MODULE test
      SOURCES ${F_SOURCES} ${CMAKE_SOURCE_DIR}/test/support/fuzz_replay_main.cc
      DEPS ${F_DEPS})
    add_test(NAME ${name}_replay COMMAND ${name} ${F_CORPUS})
    set_tests_properties(${name}_replay PROPERTIES LABELS unit TIMEOUT 120)
  endif()
endfunction()
