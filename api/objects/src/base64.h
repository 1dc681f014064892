// Standard base64 with padding (RFC 4648 §4), the encoding of []byte fields in Kubernetes JSON
// (Secret data, ConfigMap binaryData).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ferry::api::detail {

std::string base64Encode(std::string_view bytes);

// The decoded length, or the offset of the first bad byte as encoding/base64 reports it
// ("illegal base64 data at input byte N").
struct Base64Check {
  bool ok = false;
  size_t decoded_size = 0;
  size_t bad_offset = 0;
};
Base64Check base64Check(std::string_view text);
// The decoded bytes, or nullopt when base64Check fails.
std::optional<std::string> base64Decode(std::string_view text);

}  // namespace ferry::api::detail
