// Tolerant reads from nlohmann::json objects: printers and discovery read objects that may
// lack any field, so absent, null and wrongly-typed values read as the zero value, the way Go
// decodes them into typed structs.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace ferry::api::detail {

// The value at `key`, or nullptr when `j` is not an object, lacks the key or holds null.
inline const nlohmann::json* field(const nlohmann::json& j, std::string_view key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return nullptr;
  return &*it;
}

inline const nlohmann::json* field(const nlohmann::json* j, std::string_view key) {
  return j == nullptr ? nullptr : field(*j, key);
}

inline const nlohmann::json* path(const nlohmann::json& j,
                                  std::initializer_list<std::string_view> keys) {
  const nlohmann::json* cur = &j;
  for (auto k : keys) {
    cur = field(*cur, k);
    if (cur == nullptr) return nullptr;
  }
  return cur;
}

inline std::string str(const nlohmann::json* j) {
  return j != nullptr && j->is_string() ? j->get<std::string>() : std::string();
}

inline int64_t integer(const nlohmann::json* j) {
  if (j == nullptr) return 0;
  if (j->is_number_integer()) return j->get<int64_t>();
  if (j->is_number_unsigned()) return static_cast<int64_t>(j->get<uint64_t>());
  if (j->is_number_float()) return static_cast<int64_t>(j->get<double>());
  return 0;
}

inline bool boolean(const nlohmann::json* j) {
  return j != nullptr && j->is_boolean() && j->get<bool>();
}

// Elements of an array value; an empty array for anything else.
inline const nlohmann::json& items(const nlohmann::json* j) {
  static const nlohmann::json kEmpty = nlohmann::json::array();
  return j != nullptr && j->is_array() ? *j : kEmpty;
}

// Number of members of an object value (0 for anything else).
inline size_t members(const nlohmann::json* j) {
  return j != nullptr && j->is_object() ? j->size() : 0;
}

}  // namespace ferry::api::detail
