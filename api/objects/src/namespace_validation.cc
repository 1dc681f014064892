// ValidateNamespace / ValidateNamespaceUpdate (pkg/apis/core/validation).
#include "ferry/api/field_error_builders.h"
#include "ferry/api/names.h"
#include "ferry/api/validation.h"
#include "json_fields.h"
#include "validation_helpers.h"

namespace ferry::api {

FieldErrors validateNamespace(const detail::json& ns, const detail::json* old) {
  FieldErrors errs = detail::validateMeta(ns, old, {Scope::kCluster, nameIsDnsLabel});
  detail::Fields spec = detail::Fields(&ns, "", errs).sub("spec");
  // validateFinalizerName: qualified names; a bare name must be a standard one ("kubernetes").
  // kube reports these without an index.
  for (const auto& f : spec.strings("finalizers")) {
    std::string path = spec.at("finalizers");
    detail::invalidEach(errs, path, f, isQualifiedName(f));
    if (f.find('/') == std::string::npos && f != "kubernetes" && f != "orphan" &&
        f != "foregroundDeletion") {
      errs.push_back(field::invalid(
          path, f, "name is neither a standard finalizer name nor is it fully qualified"));
    }
  }
  return errs;
}

}  // namespace ferry::api
