# Third-party dependencies, each wrapped in one imported target named ferry::<name> so the
# module graph in FerryModules.cmake can name them. All come from Debian packages
# (scripts/deps installs them).
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)

find_package(GTest REQUIRED)
find_package(benchmark REQUIRED)

pkg_check_modules(LIBBPF REQUIRED IMPORTED_TARGET GLOBAL libbpf)
add_library(ferry::libbpf ALIAS PkgConfig::LIBBPF)

find_package(nlohmann_json 3.10 REQUIRED)

# Boost.Asio and Boost.Beast are header-only; Boost.System is header-only since 1.69.
find_package(Boost 1.74 REQUIRED)
add_library(ferry_asio INTERFACE)
target_link_libraries(ferry_asio INTERFACE Boost::boost Threads::Threads)
target_compile_definitions(ferry_asio INTERFACE BOOST_ASIO_NO_DEPRECATED BOOST_BEAST_USE_STD_STRING_VIEW)
add_library(ferry::asio ALIAS ferry_asio)

find_package(OpenSSL 3.0 REQUIRED)
add_library(ferry_ssl INTERFACE)
target_link_libraries(ferry_ssl INTERFACE OpenSSL::SSL OpenSSL::Crypto)
add_library(ferry::ssl ALIAS ferry_ssl)

find_package(yaml-cpp REQUIRED)
add_library(ferry_yaml INTERFACE)
target_link_libraries(ferry_yaml INTERFACE yaml-cpp)
add_library(ferry::yaml ALIAS ferry_yaml)

find_package(CLI11 REQUIRED)
add_library(ferry_cli INTERFACE)
target_link_libraries(ferry_cli INTERFACE CLI11::CLI11)
add_library(ferry::cli ALIAS ferry_cli)

find_package(Protobuf REQUIRED)
add_library(ferry_protobuf INTERFACE)
target_link_libraries(ferry_protobuf INTERFACE protobuf::libprotobuf)
add_library(ferry::protobuf ALIAS ferry_protobuf)

# gRPC (Debian's libgrpc++-dev ships CMake config; the C++ code generator comes with
# protobuf-compiler-grpc).
find_package(gRPC CONFIG REQUIRED)
find_program(FERRY_GRPC_CPP_PLUGIN grpc_cpp_plugin REQUIRED)
add_library(ferry_grpc INTERFACE)
# absl::synchronization: ferry::feed::tuneGrpcRuntime() sets Abseil's Mutex mode for gRPC.
target_link_libraries(ferry_grpc INTERFACE gRPC::grpc++ protobuf::libprotobuf absl::synchronization)
add_library(ferry::grpc ALIAS ferry_grpc)

# nghttp2 (HTTP/2 framing, HPACK and flow control; Debian's libnghttp2-dev).
pkg_check_modules(NGHTTP2 REQUIRED IMPORTED_TARGET GLOBAL libnghttp2)
add_library(ferry::nghttp2 ALIAS PkgConfig::NGHTTP2)
