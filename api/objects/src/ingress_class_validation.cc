// ValidateIngressClass / ValidateIngressClassUpdate (networking.k8s.io/v1).
#include "ferry/api/field_error_builders.h"
#include "ferry/api/names.h"
#include "ferry/api/validation.h"
#include "json_fields.h"
#include "validation_helpers.h"

namespace ferry::api {
namespace {

using detail::Fields;
using detail::json;

constexpr size_t kMaxControllerLength = 250;

bool isHttpPathChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         std::string_view("/-._~%!$&'()*+,;=:").find(c) != std::string_view::npos;
}

// IsDomainPrefixedPath: "<dns subdomain>/<http path>", e.g. "example.com/ingress-controller".
void validateController(FieldErrors& errs, const Fields& spec) {
  std::string path = spec.at("controller");
  std::string controller = spec.str("controller");
  if (controller.size() > kMaxControllerLength) {
    errs.push_back(field::tooLong(path, kMaxControllerLength));
  }
  if (controller.empty()) {
    errs.push_back(field::required(path));
    return;
  }
  size_t slash = controller.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == controller.size()) {
    errs.push_back(field::invalid(path, controller,
                                  "must be a domain-prefixed path (such as \"acme.io/foo\")"));
    return;
  }
  std::string host = controller.substr(0, slash);
  std::string rest = controller.substr(slash + 1);
  detail::invalidEach(errs, path, host, isDns1123Subdomain(host));
  for (char c : rest) {
    if (!isHttpPathChar(c)) {
      errs.push_back(field::invalid(
          path, rest,
          "Invalid path (regex used for validation is '[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+')"));
      break;
    }
  }
}

// validateIngressClassParametersReference.
void validateParameters(FieldErrors& errs, const Fields& params) {
  if (params.obj() == nullptr) return;
  if (auto group = params.optStr("apiGroup")) {
    detail::validateDns1123Subdomain(errs, params.at("apiGroup"), *group);
  }
  for (const char* key : {"kind", "name"}) {
    std::string v = params.str(key);
    if (v.empty()) {
      errs.push_back(field::required(params.at(key)));
    } else {
      detail::invalidEach(errs, params.at(key), v, isValidPathSegmentName(v));
    }
  }
  auto scope = params.optStr("scope");
  auto ns = params.optStr("namespace");
  if (!scope) {
    errs.push_back(field::required(params.at("scope")));
  } else if (*scope == "Namespace") {
    if (!ns) {
      errs.push_back(
          field::required(params.at("namespace"), "`parameters.scope` is set to 'Namespace'"));
    } else {
      detail::invalidEach(errs, params.at("namespace"), *ns, nameIsDnsLabel(*ns, false));
    }
  } else if (*scope == "Cluster") {
    if (ns) {
      errs.push_back(
          field::forbidden(params.at("namespace"), "`parameters.scope` is set to 'Cluster'"));
    }
  } else {
    errs.push_back(field::notSupported(params.at("scope"), *scope, {"Cluster", "Namespace"}));
  }
}

}  // namespace

FieldErrors validateIngressClass(const json& ic, const json* old) {
  FieldErrors errs = detail::validateMeta(ic, old, {Scope::kCluster, nameIsDnsSubdomain});
  Fields spec = Fields(&ic, "", errs).sub("spec");
  validateController(errs, spec);
  validateParameters(errs, spec.sub("parameters"));
  if (old != nullptr) {
    FieldErrors ignored;
    detail::validateImmutable(errs, spec, Fields(old, "", ignored).sub("spec"), "controller");
  }
  return errs;
}

}  // namespace ferry::api
