// Validation of the kinds ferry serves, with kube-apiserver's field paths, CauseTypes and
// messages (pkg/apis/*/validation). A non-empty result is a 422 Invalid whose
// details.causes[] are these errors (see field::invalidStatusMessage for Status.message).
//
// kube-apiserver validates the object after decoding (defaulting), the REST strategy's
// PrepareForCreate/PrepareForUpdate and the Service REST's allocation, and so does ferry:
//   create: applyDefaults → prepareForCreate → (server allocates) → validate(kind, obj, nullptr)
//   update: applyDefaults → prepareForUpdate → (server allocates) → validate(kind, obj, &old)
// Allocation is the server's; validating before it is supported: an empty spec.clusterIP, a
// nodePort of 0 and a missing healthCheckNodePort are accepted.
//
// `old` is the stored object on update, nullptr on create. On update the metadata is checked
// both ways (ValidateObjectMeta and ValidateObjectMetaUpdate, as kube's BeforeUpdate does), but
// each problem is reported once (kube can list a bad label twice).
//
// Objects of the wrong JSON shape (a string where a list belongs, ...) give
// FieldValueTypeInvalid errors at that path; nothing here throws.
//
// Kube's own paths are kept where they look odd: "spec.LoadBalancerSourceRanges[i]",
// "allocateLoadBalancerNodePorts" (no "spec."), "metadata.taints[i]" for Node taints,
// "status.conditions[i].Type" for Pod conditions, "annotations.kubernetes.io/ingress.class" for
// Ingress, and a changed Service cluster IP is "spec.clusterIPs[0]: may not change once set"
// (kube ≥ 1.20 validates the plural field; "spec.clusterIP: field is immutable" is gone).
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "ferry/api/field_error.h"

namespace ferry::api {

// Dispatches on `kind`. Unknown kinds get the generic metadata checks only (names as path
// segments, labels, annotations, owner references, finalizers).
FieldErrors validate(std::string_view kind, const nlohmann::json& obj, const nlohmann::json* old);

// Per kind (ValidateXxx / ValidateXxxUpdate):
FieldErrors validateNamespace(const nlohmann::json& ns, const nlohmann::json* old);
FieldErrors validateService(const nlohmann::json& svc, const nlohmann::json* old);
FieldErrors validateEndpoints(const nlohmann::json& ep, const nlohmann::json* old);
FieldErrors validateEndpointSlice(const nlohmann::json& slice, const nlohmann::json* old);
FieldErrors validatePod(const nlohmann::json& pod, const nlohmann::json* old);
FieldErrors validateNode(const nlohmann::json& node, const nlohmann::json* old);
FieldErrors validateSecret(const nlohmann::json& secret, const nlohmann::json* old);
FieldErrors validateConfigMap(const nlohmann::json& cm, const nlohmann::json* old);
FieldErrors validateIngress(const nlohmann::json& ing, const nlohmann::json* old);
FieldErrors validateIngressClass(const nlohmann::json& ic, const nlohmann::json* old);
FieldErrors validateEvent(const nlohmann::json& ev, const nlohmann::json* old);

}  // namespace ferry::api
