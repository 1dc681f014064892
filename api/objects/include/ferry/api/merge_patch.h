// JSON merge patch, RFC 7386 (Content-Type application/merge-patch+json): objects merge key by
// key, null deletes a key, anything else (arrays included) replaces the target wholesale.
#pragma once

#include <nlohmann/json.hpp>

namespace ferry::api {

// MergePatch(Target, Patch) of RFC 7386 §2. Never fails: a non-object patch replaces the whole
// target (the caller decides whether a non-object result is acceptable; kube-apiserver answers
// 400 when the patched document no longer decodes as the object).
nlohmann::json applyMergePatch(nlohmann::json target, const nlohmann::json& patch);

// The merge patch that turns `original` into `modified` (RFC 7386 §3 in reverse): changed keys,
// null for removed keys, arrays whole. applyMergePatch(original, result) == modified.
nlohmann::json createMergePatch(const nlohmann::json& original, const nlohmann::json& modified);

}  // namespace ferry::api
