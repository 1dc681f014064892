// Base64, once for the whole project: standard with padding (RFC 4648 §4), the encoding of
// []byte fields in Kubernetes JSON (Secret data, ConfigMap binaryData, kubeconfig *-data,
// etcd's JSON gateway), checked exactly as Go's encoding/base64 checks it; and the URL-safe
// unpadded form (§5) that opaque tokens such as list "continue" use.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ferry::api {

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

// URL-safe alphabet ('-', '_'), no padding.
std::string base64UrlEncode(std::string_view bytes);
// Accepts the URL-safe or the standard alphabet, with or without padding; nullopt on any
// other byte.
std::optional<std::string> base64UrlDecode(std::string_view text);

}  // namespace ferry::api
