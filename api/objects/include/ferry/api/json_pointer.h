// JSON Pointer, RFC 6901: "" is the whole document, "/a/b" walks members and array indexes;
// "~1" stands for '/', "~0" for '~'.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/api/result.h"

namespace ferry::api {

using JsonPointer = std::vector<std::string>;  // the decoded reference tokens

// Splits and unescapes. Errors: no leading '/', '~' not followed by '0' or '1'.
Result<JsonPointer> parseJsonPointer(std::string_view text);
// Escapes and joins tokens back into pointer text.
std::string formatJsonPointer(const JsonPointer& tokens);
// An array index token (RFC 6901 §4): "0" or digits without a leading zero.
std::optional<size_t> parseArrayIndex(std::string_view token);
// The value the pointer names, or nullptr when any step is missing (never throws).
const nlohmann::json* resolveJsonPointer(const nlohmann::json& doc,
                                         std::span<const std::string> tokens);

}  // namespace ferry::api
