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
