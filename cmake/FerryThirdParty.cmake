# Third-party dependencies, each wrapped in one imported target named ferry::<name> so the
# module graph in FerryModules.cmake can name them. All come from Debian packages
# (scripts/deps installs them).
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)

find_package(GTest REQUIRED)
find_package(benchmark REQUIRED)

pkg_check_modules(LIBBPF REQUIRED IMPORTED_TARGET GLOBAL libbpf)
add_library(ferry::libbpf ALIAS PkgConfig::LIBBPF)
