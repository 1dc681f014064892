// ValidateSecret / ValidateSecretUpdate (pkg/apis/core/validation). Data values are base64 in
// JSON; a value that does not decode is reported at its key (kube's decoder rejects the whole
// body with a 400 instead).
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

constexpr size_t kMaxSecretSize = size_t{1024} * 1024;  // MaxSecretSize, also ConfigMap's limit

bool requireKey(FieldErrors& errs, const std::vector<std::string>& keys, const char* key) {
  for (const auto& k : keys) {
    if (k == key) return true;
  }
  errs.push_back(field::required(field::key("data", key)));
  return false;
}

// Docker config secrets must hold a JSON object (kube json.Unmarshals them into a map); the
// messages are encoding/json's.
void requireJsonObject(FieldErrors& errs, const json* data, const char* key) {
  const json* value = detail::member(data, key);
  if (value == nullptr || !value->is_string()) return;
  auto bytes = base64Decode(value->get_ref<const std::string&>());
  if (!bytes) return;  // reported as bad base64 already
  std::string problem;
  json parsed = json::parse(*bytes, nullptr, /*allow_exceptions=*/false);
  if (bytes->find_first_not_of(" \t\r\n") == std::string::npos) {
    problem = "unexpected end of JSON input";
  } else if (parsed.is_discarded()) {
    problem = "invalid JSON";
  } else if (!parsed.is_object() && !parsed.is_null()) {
    const char* type = parsed.is_array()     ? "array"
                       : parsed.is_string()  ? "string"
                       : parsed.is_boolean() ? "bool"
                                             : "number";
    problem = std::string("json: cannot unmarshal ") + type +
              " into Go value of type map[string]interface {}";
  }
  if (!problem.empty()) {
    errs.push_back(field::invalid(field::key("data", key), "<secret contents redacted>", problem));
  }
}

}  // namespace

FieldErrors validateSecret(const json& secret, const json* old) {
  FieldErrors errs = detail::validateMeta(secret, old, {Scope::kNamespaced, nameIsDnsSubdomain});
  Fields root(&secret, "", errs);
  std::vector<std::string> keys;
  size_t total = 0;
  for (const auto& [k, value] : root.stringMap("data")) {
    std::string path = field::key("data", k);
    detail::invalidEach(errs, path, k, isConfigMapKey(k));
    auto check = base64Check(value);
    if (!check.ok) {
      errs.push_back(
          field::invalid(path, "<secret contents redacted>",
                         "illegal base64 data at input byte " + std::to_string(check.bad_offset)));
    }
    total += check.decoded_size;
    keys.push_back(k);
  }
  if (total > kMaxSecretSize) errs.push_back(field::tooLong("data", kMaxSecretSize));

  std::string type = root.str("type");
  if (type == "kubernetes.io/service-account-token") {
    // The token itself is filled in later by a controller.
    bool named = false;
    FieldErrors reported;  // annotations were checked with the metadata
    for (const auto& [k, v] :
         Fields(&secret, "", reported).sub("metadata").stringMap("annotations")) {
      named = named || (k == "kubernetes.io/service-account.name" && !v.empty());
    }
    if (!named) {
      errs.push_back(field::required(
          field::key("metadata.annotations", "kubernetes.io/service-account.name")));
    }
  } else if (type == "kubernetes.io/dockercfg") {
    if (requireKey(errs, keys, ".dockercfg"))
      requireJsonObject(errs, root.raw("data"), ".dockercfg");
  } else if (type == "kubernetes.io/dockerconfigjson") {
    if (requireKey(errs, keys, ".dockerconfigjson")) {
      requireJsonObject(errs, root.raw("data"), ".dockerconfigjson");
    }
  } else if (type == "kubernetes.io/basic-auth") {
    // Either may be empty, but one must be there.
    bool user = false;
    bool pass = false;
    for (const auto& k : keys) {
      user = user || k == "username";
      pass = pass || k == "password";
    }
    if (!user && !pass) {
      errs.push_back(field::required(field::key("data", "username")));
      errs.push_back(field::required(field::key("data", "password")));
    }
  } else if (type == "kubernetes.io/ssh-auth") {
    // Present is not enough: the key must be non-empty.
    auto key = base64Decode(detail::stringAt(root.raw("data"), "ssh-privatekey"));
    if (!key || key->empty()) errs.push_back(field::required(field::key("data", "ssh-privatekey")));
  } else if (type == "kubernetes.io/tls") {
    requireKey(errs, keys, "tls.crt");
    requireKey(errs, keys, "tls.key");
  }
  bool immutable = root.boolean("immutable").value_or(false);

  if (old != nullptr) {
    FieldErrors ignored;
    Fields before(old, "", ignored);
    detail::validateImmutable(errs, root, before, "type");
    if (before.boolean("immutable").value_or(false)) {
      if (!immutable) {
        errs.push_back(field::forbidden("immutable", "field is immutable when `immutable` is set"));
      }
      const json* a = root.raw("data");
      const json* b = before.raw("data");
      bool same =
          (a == nullptr || a->empty()) ? (b == nullptr || b->empty()) : (b != nullptr && *a == *b);
      if (!same)
        errs.push_back(field::forbidden("data", "field is immutable when `immutable` is set"));
    }
  }
  return errs;
}

}  // namespace ferry::api
