#include "ferry/api/validation.h"

#include "ferry/api/field_error_builders.h"
#include "validation_helpers.h"

namespace ferry::api {

FieldErrors validate(std::string_view kind, const nlohmann::json& obj, const nlohmann::json* old) {
  if (!obj.is_object()) return {field::typeInvalid("", obj, "must be an object")};
  if (old != nullptr && !old->is_object()) old = nullptr;
  if (kind == "Namespace") return validateNamespace(obj, old);
  if (kind == "Service") return validateService(obj, old);
  if (kind == "Endpoints") return validateEndpoints(obj, old);
  if (kind == "EndpointSlice") return validateEndpointSlice(obj, old);
  if (kind == "Pod") return validatePod(obj, old);
  if (kind == "Node") return validateNode(obj, old);
  if (kind == "Secret") return validateSecret(obj, old);
  if (kind == "ConfigMap") return validateConfigMap(obj, old);
  if (kind == "Ingress") return validateIngress(obj, old);
  if (kind == "IngressClass") return validateIngressClass(obj, old);
  if (kind == "Event") return validateEvent(obj, old);
  return detail::validateMeta(obj, old, {Scope::kUnknown, nameIsPathSegment});
}

}  // namespace ferry::api
