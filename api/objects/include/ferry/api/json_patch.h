// JSON Patch, RFC 6902 (Content-Type application/json-patch+json): a list of add, remove,
// replace, move, copy and test operations applied in order, all or nothing.
//
// Two steps so the server can answer as kube-apiserver does: a patch body that is not a valid
// operation list is a 400 Bad Request (parseJsonPatch fails), one that does not apply to the
// object is a 422 Unprocessable Entity (applyJsonPatch fails). Messages follow the wording of
// the json-patch library kube-apiserver uses (e.g. `add operation does not apply: doc is
// missing path: "/spec/x": missing value`).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ferry/api/json_pointer.h"
#include "ferry/api/result.h"

namespace ferry::api {

// kube-apiserver refuses JSON patches with more operations than this (maxJSONPatchOperations).
inline constexpr size_t kMaxJsonPatchOperations = 10000;

enum class JsonPatchOpKind { kAdd, kRemove, kReplace, kMove, kCopy, kTest };

// NOLINTNEXTLINE(bugprone-exception-escape): nlohmann::json's destructor may allocate
struct JsonPatchOp {
  JsonPatchOpKind kind = JsonPatchOpKind::kAdd;
  JsonPointer path;
  JsonPointer from;  // move, copy
  std::string path_text;
  std::string from_text;
  nlohmann::json value;  // add, replace, test (null is a valid value)
};

using JsonPatch = std::vector<JsonPatchOp>;

// Validates the document shape of §4: an array of objects with a known "op", string pointers in
// "path" (and "from" for move/copy), and a "value" member for add/replace/test.
Result<JsonPatch> parseJsonPatch(const nlohmann::json& patch);

// Applies the operations to a copy of `doc`; on any failure `doc` is untouched (§5: the whole
// patch fails). A "test" failure is a failure like any other.
Result<nlohmann::json> applyJsonPatch(const nlohmann::json& doc, const JsonPatch& patch);

// parseJsonPatch then applyJsonPatch (loses the 400/422 distinction).
Result<nlohmann::json> applyJsonPatch(const nlohmann::json& doc, const nlohmann::json& patch);

}  // namespace ferry::api
