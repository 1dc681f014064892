// The definition files under api/schema/openapi/, embedded by cmake/embed_files.cmake.
#pragma once

#include <cstddef>
#include <string_view>

namespace ferry::api::detail {

struct EmbeddedFile {
  std::string_view name;  // file name, e.g. "core_v1.json"
  std::string_view text;
};

extern const EmbeddedFile kOpenApiFiles[];
extern const std::size_t kOpenApiFilesCount;

}  // namespace ferry::api::detail
