# Warning and sanitizer flags for ferry's own targets. Third-party headers are included as
# SYSTEM so -Werror applies to our code only.
set(FERRY_WARNING_FLAGS
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align -Wunused
  -Woverloaded-virtual -Wimplicit-fallthrough -Wformat=2)
if(FERRY_WERROR)
  list(APPEND FERRY_WARNING_FLAGS -Werror)
endif()

if(FERRY_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# The "fuzz" preset (clang): every target instrumented for libFuzzer's coverage feedback and
# checked by ASan+UBSan; only ferry_fuzz_target() executables link libFuzzer's main.
if(FERRY_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "FERRY_FUZZ needs clang (cmake --preset fuzz)")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# ferry_apply_flags(<target>): our warnings, on our code only.
function(ferry_apply_flags target)
  get_target_property(kind ${target} TYPE)
  if(kind STREQUAL "INTERFACE_LIBRARY")
    return()
  endif()
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:${FERRY_WARNING_FLAGS}>
    $<$<COMPILE_LANGUAGE:C>:-Wall -Wextra $<$<BOOL:${FERRY_WERROR}>:-Werror>>)
endfunction()
