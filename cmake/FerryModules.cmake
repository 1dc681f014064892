# The module graph. Each module lists the ferry modules and third-party targets it may link;
# ferry_library()/ferry_executable() fail at configure time on any other edge, so the layering
# described in each folder's README is enforced, not hoped for.
#
#   ferry_module(<module> [DEPENDS <modules>...] [EXTERNAL <targets>...])
#   ferry_library(<target> MODULE <module> [INTERFACE] SOURCES <files>...
#                 [PUBLIC_INCLUDE <dirs>...] [DEPS <targets>...] [PRIVATE_DEPS <targets>...])
#   ferry_executable(<target> MODULE <module> SOURCES <files>... [DEPS <targets>...])
#
# Modules "test" and "bench" may depend on anything.

set(FERRY_UNIVERSAL_EXTERNAL Threads::Threads)

function(ferry_module module)
  cmake_parse_arguments(M "" "" "DEPENDS;EXTERNAL" ${ARGN})
  set_property(GLOBAL PROPERTY FERRY_MODULE_${module}_DEPENDS "${M_DEPENDS}")
  set_property(GLOBAL PROPERTY FERRY_MODULE_${module}_EXTERNAL "${M_EXTERNAL}")
  set_property(GLOBAL PROPERTY FERRY_MODULE_${module}_DECLARED TRUE)
endfunction()

# The graph itself. Keep it in step with the folder READMEs.
ferry_module(model)                                   # the shared L4 model: std only
ferry_module(ebpf DEPENDS model EXTERNAL ferry::libbpf)
ferry_module(dpdk DEPENDS model EXTERNAL ferry::dpdk)
ferry_module(api EXTERNAL ferry::protobuf ferry::grpc nlohmann_json::nlohmann_json ferry::yaml ferry::asio ferry::cli)
ferry_module(controlplane DEPENDS api model EXTERNAL ferry::asio ferry::ssl ferry::grpc ferry::cli
             ferry::protobuf nlohmann_json::nlohmann_json ferry::yaml)
ferry_module(agent DEPENDS api model ebpf dpdk EXTERNAL ferry::grpc ferry::protobuf ferry::asio ferry::cli ferry::yaml)
ferry_module(l7 DEPENDS api model agent EXTERNAL ferry::asio ferry::ssl ferry::nghttp2 ferry::grpc ferry::cli ferry::yaml
             ferry::protobuf)  # agent: ferry-ingress links agent::ServiceCompiler (ferry_agent_compile)
ferry_module(examples DEPENDS api EXTERNAL ferry::asio ferry::nghttp2 ferry::cli)  # demo workloads
ferry_module(test)
ferry_module(bench)

function(_ferry_check_edges target module)
  get_property(declared GLOBAL PROPERTY FERRY_MODULE_${module}_DECLARED)
  if(NOT declared)
    message(FATAL_ERROR "${target}: module '${module}' is not declared in cmake/FerryModules.cmake")
  endif()
  if(module STREQUAL "test" OR module STREQUAL "bench")
    return()
  endif()
  get_property(allowed_modules GLOBAL PROPERTY FERRY_MODULE_${module}_DEPENDS)
  get_property(allowed_external GLOBAL PROPERTY FERRY_MODULE_${module}_EXTERNAL)
  foreach(dep IN LISTS ARGN)
    if(dep MATCHES "^(PUBLIC|PRIVATE|INTERFACE)$")
      continue()
    endif()
    if(NOT TARGET ${dep})
      message(FATAL_ERROR "${target}: dependency '${dep}' is not a target (declare it first)")
    endif()
    get_target_property(dep_module ${dep} FERRY_MODULE)
    if(dep_module)
      if(NOT dep_module STREQUAL module AND NOT dep_module IN_LIST allowed_modules)
        message(FATAL_ERROR "${target} (module ${module}) may not depend on ${dep} (module "
                            "${dep_module}); allowed: ${allowed_modules}")
      endif()
    elseif(NOT dep IN_LIST allowed_external AND NOT dep IN_LIST FERRY_UNIVERSAL_EXTERNAL)
      message(FATAL_ERROR "${target} (module ${module}) may not depend on third-party "
                          "'${dep}'; allowed: ${allowed_external}")
    endif()
  endforeach()
endfunction()

function(ferry_library target)
  cmake_parse_arguments(L "INTERFACE" "MODULE" "SOURCES;PUBLIC_INCLUDE;DEPS;PRIVATE_DEPS" ${ARGN})
  _ferry_check_edges(${target} ${L_MODULE} ${L_DEPS} ${L_PRIVATE_DEPS})
  if(L_INTERFACE)
    add_library(${target} INTERFACE)
    target_include_directories(${target} INTERFACE ${L_PUBLIC_INCLUDE})
    target_link_libraries(${target} INTERFACE ${L_DEPS})
  else()
    add_library(${target} STATIC ${L_SOURCES})
    target_include_directories(${target} PUBLIC ${L_PUBLIC_INCLUDE})
    target_link_libraries(${target} PUBLIC ${L_DEPS} PRIVATE ${L_PRIVATE_DEPS})
    ferry_apply_flags(${target})
  endif()
  set_target_properties(${target} PROPERTIES FERRY_MODULE ${L_MODULE})
  string(REPLACE "ferry_" "" alias_name ${target})
  add_library(ferry::${alias_name} ALIAS ${target})
endfunction()

function(ferry_executable target)
  cmake_parse_arguments(E "" "MODULE" "SOURCES;DEPS" ${ARGN})
  _ferry_check_edges(${target} ${E_MODULE} ${E_DEPS})
  add_executable(${target} ${E_SOURCES})
  target_link_libraries(${target} PRIVATE ${E_DEPS})
  set_target_properties(${target} PROPERTIES FERRY_MODULE ${E_MODULE})
  ferry_apply_flags(${target})
endfunction()
