// ValidateConfigMap / ValidateConfigMapUpdate (pkg/apis/core/validation).
#include <set>

#include "ferry/api/base64.h"
#include "ferry/api/field_error_builders.h"
#include "ferry/api/names.h"
#include "ferry/api/validation.h"
#include "json_fields.h"
#include "validation_helpers.h"

namespace ferry::api {
namespace {

using detail::Fields;
using detail::json;

constexpr size_t kMaxConfigMapSize = size_t{1024} * 1024;

bool sameMap(const json* a, const json* b) {
  bool a_empty = a == nullptr || a->empty();
  bool b_empty = b == nullptr || b->empty();
  if (a_empty || b_empty) return a_empty == b_empty;
  return *a == *b;
}

}  // namespace

FieldErrors validateConfigMap(const json& cm, const json* old) {
  FieldErrors errs = detail::validateMeta(cm, old, {Scope::kNamespaced, nameIsDnsSubdomain});
  Fields root(&cm, "", errs);
  auto data = root.stringMap("data");
  auto binary = root.stringMap("binaryData");
  std::set<std::string> binary_keys;
  for (const auto& [k, v] : binary) binary_keys.insert(k);
  size_t total = 0;
  for (const auto& [k, v] : data) {
    std::string path = field::key("data", k);
    detail::invalidEach(errs, path, k, isConfigMapKey(k));
    if (binary_keys.count(k) != 0) {
      errs.push_back(field::invalid(path, k, "duplicate of key present in binaryData"));
    }
    total += v.size();
  }
  for (const auto& [k, v] : binary) {
    std::string path = field::key("binaryData", k);
    detail::invalidEach(errs, path, k, isConfigMapKey(k));
    auto check = base64Check(v);
    if (!check.ok) {
      errs.push_back(field::invalid(
          path, v, "illegal base64 data at input byte " + std::to_string(check.bad_offset)));
    }
    total += check.decoded_size;
  }
  // kube passes an empty path: the error is about the whole object.
  if (total > kMaxConfigMapSize) errs.push_back(field::tooLong("", kMaxConfigMapSize));
  bool immutable = root.boolean("immutable").value_or(false);

  if (old != nullptr) {
    FieldErrors ignored;
    Fields before(old, "", ignored);
    if (before.boolean("immutable").value_or(false)) {
      const std::string why = "field is immutable when `immutable` is set";
      if (!immutable) {
        errs.push_back(field::forbidden("immutable", why));
      }
      if (!sameMap(root.raw("data"), before.raw("data"))) {
        errs.push_back(field::forbidden("data", why));
      }
      if (!sameMap(root.raw("binaryData"), before.raw("binaryData"))) {
        errs.push_back(field::forbidden("binaryData", why));
      }
    }
  }
  return errs;
}

}  // namespace ferry::api
