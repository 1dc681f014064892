// Typed, non-throwing reads of JSON objects for validation. kube-apiserver decodes a body into Go
// structs before validating, so a value of the wrong JSON type never reaches its validators; we
// validate the JSON itself, and report such a value as one FieldValueTypeInvalid at its path
// instead of throwing (nlohmann's get<T>() throws on type mismatches).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ferry/api/field_error.h"

namespace ferry::api::detail {

using nlohmann::json;

// obj[key], or nullptr when obj is null/not an object, lacks the key, or holds null there (the
// Go decoder treats an explicit null as absent).
const json* member(const json* obj, std::string_view key);
// A string member, or "" (absent or not a string). For reading fields already validated.
std::string stringAt(const json* obj, std::string_view key);
// A dotted path ("spec.clusterIP") read with member().
const json* memberPath(const json* obj, std::string_view dotted);

class Fields {
 public:
  Fields(const json* obj, std::string path, FieldErrors& errs)
      : obj_(obj), path_(std::move(path)), errs_(&errs) {}

  const json* obj() const { return obj_; }
  const std::string& path() const { return path_; }
  std::string at(std::string_view key) const;  // path of a member
  const json* raw(std::string_view key) const { return member(obj_, key); }
  bool has(std::string_view key) const { return raw(key) != nullptr; }

  // Absent → "" / nullopt / nullptr. Present with the wrong type → a TypeInvalid error, and the
  // same as absent.
  std::string str(std::string_view key) const;
  std::optional<std::string> optStr(std::string_view key) const;
  std::optional<int64_t> int32(std::string_view key) const;
  std::optional<int64_t> int64(std::string_view key) const;
  std::optional<bool> boolean(std::string_view key) const;
  const json* object(std::string_view key) const;
  const json* array(std::string_view key) const;
  Fields sub(std::string_view key) const { return Fields(object(key), at(key), *errs_); }

  // A list of strings; non-string elements are reported and skipped.
  std::vector<std::string> strings(std::string_view key) const;
  // A map of strings (labels, annotations, selector, data); non-string values are reported and
  // skipped. Present-but-empty and absent both give an empty vector; `present` tells them apart.
  std::vector<std::pair<std::string, std::string>> stringMap(std::string_view key,
                                                             bool* present = nullptr) const;
  // The elements of a list of objects, each as Fields at "<path>[i]"; non-objects are reported.
  std::vector<Fields> objects(std::string_view key) const;

  FieldErrors& errors() const { return *errs_; }

 private:
  const json* obj_;
  std::string path_;
  FieldErrors* errs_;
};

// Appends `src` to `dst`.
void append(FieldErrors& dst, FieldErrors src);

}  // namespace ferry::api::detail
