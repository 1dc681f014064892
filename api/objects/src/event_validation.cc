// Core v1 Event validation (ValidateEventCreate's legacy rules, which are all v1 applies).
#include "ferry/api/field_error_builders.h"
#include "ferry/api/names.h"
#include "ferry/api/validation.h"
#include "json_fields.h"
#include "validation_helpers.h"

namespace ferry::api {

FieldErrors validateEvent(const detail::json& ev, const detail::json* old) {
  // Event names are only checked as path segments (the generic ObjectMeta check).
  FieldErrors errs = detail::validateMeta(ev, old, {Scope::kNamespaced, nameIsPathSegment});
  detail::Fields root(&ev, "", errs);
  detail::Fields involved = root.sub("involvedObject");
  std::string ns = detail::stringAt(detail::member(&ev, "metadata"), "namespace");
  std::string involved_ns = involved.str("namespace");
  std::string path = involved.at("namespace");
  if (!root.has("eventTime")) {
    // An event about a cluster-scoped object lives in "default" (or nowhere); otherwise in the
    // object's namespace.
    bool ok = involved_ns.empty() ? (ns.empty() || ns == "default") : ns == involved_ns;
    if (!ok) errs.push_back(field::invalid(path, involved_ns, "does not match event.namespace"));
  } else {
    if (involved_ns.empty() && ns != "default" && ns != "kube-system") {
      errs.push_back(field::invalid(path, involved_ns, "does not match event.namespace"));
    }
    std::string controller = root.str("reportingComponent");
    if (controller.empty()) errs.push_back(field::required("reportingComponent"));
    detail::validateQualifiedName(errs, "reportingComponent", controller);
    std::string instance = root.str("reportingInstance");
    if (instance.empty()) errs.push_back(field::required("reportingInstance"));
    if (instance.size() > 128) {
      errs.push_back(field::invalid("reportingInstance", "", "can have at most 128 characters"));
    }
    std::string action = root.str("action");
    if (action.empty()) errs.push_back(field::required("action"));
    if (action.size() > 128) {
      errs.push_back(field::invalid("action", "", "can have at most 128 characters"));
    }
    std::string reason = root.str("reason");
    if (reason.empty()) errs.push_back(field::required("reason"));
    if (reason.size() > 128) {
      errs.push_back(field::invalid("reason", "", "can have at most 128 characters"));
    }
    if (root.str("message").size() > 1024) {
      errs.push_back(field::invalid("message", "", "can have at most 1024 characters"));
    }
  }
  return errs;
}

}  // namespace ferry::api
