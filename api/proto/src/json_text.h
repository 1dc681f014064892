// Text forms Go's encoding/json gives the values a Kubernetes protobuf message carries.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ferry::api::proto_json {

// RFC 4648 §4 base64 with padding: encoding/json's form for []byte.
std::string base64(std::string_view bytes);

// `text` with each byte that does not start a valid UTF-8 sequence replaced by U+FFFD, as
// encoding/json does; proto2 strings are not checked on the wire, JSON text must be valid.
std::string validUtf8(std::string_view text);

// Unix seconds (plus microseconds when `micros` is set) as RFC 3339 in UTC:
// "2026-01-02T03:04:05Z" or "2026-01-02T03:04:05.000006Z". nullopt outside years 1-9999,
// the range of metav1.Timestamp.
std::optional<std::string> rfc3339(int64_t seconds, std::optional<int32_t> micros);

}  // namespace ferry::api::proto_json
