// What kube-apiserver's REST strategies (PrepareForCreate / PrepareForUpdate, rest.BeforeCreate /
// BeforeUpdate) and the Service REST's beginUpdate do to an object between defaulting and
// validation. Run after applyDefaults and before validate (see validation.h).
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace ferry::api {

// Create: deletionTimestamp and deletionGracePeriodSeconds dropped; Service: clusterIPs =
// [clusterIP] when only the singular is given, status reset; Namespace: spec.finalizers gains
// "kubernetes", status phase Active; Ingress, IngressClass: generation 1; Pod: status.phase
// Pending when unset (ferry keeps a posted Pod status; kube would reset it — there is no kubelet
// to report it here).
void prepareForCreate(std::string_view kind, nlohmann::json& obj);

// Update of the main resource: generation, uid, creationTimestamp, deletionTimestamp and
// deletionGracePeriodSeconds kept from `old`; status kept from `old` for kinds with a status
// subresource (Service, Pod, Node, Namespace, Ingress) — writers of status use
// prepareForStatusUpdate; Ingress/IngressClass generation bumped when the spec changes.
// Service, as kube:
//  - dropTypeDependentFields: leaving NodePort/LoadBalancer drops the node ports the user did
//    not change, leaving LoadBalancer+Local drops healthCheckNodePort, leaving an externally
//    reachable type drops an unchanged externalTrafficPolicy, switching to ExternalName drops
//    unchanged clusterIP(s), ipFamilies and ipFamilyPolicy — so `kubectl apply` can change the
//    type without restating those fields;
//  - patchAllocatedValues: a body without clusterIP, clusterIPs, nodePorts (matched by port
//    name) or healthCheckNodePort gets the allocated ones back (idempotent `kubectl replace`);
//  - NormalizeClusterIPs: clusterIP and clusterIPs kept in step.
void prepareForUpdate(std::string_view kind, nlohmann::json& obj, const nlohmann::json& old);

// Update through the /status subresource: everything but status and metadata.managedFields comes
// from `old` for kinds whose status strategy resets metadata (ResetObjectMetaForStatus); for a
// Pod the spec, ownerReferences and deletionTimestamp come from `old`.
void prepareForStatusUpdate(std::string_view kind, nlohmann::json& obj, const nlohmann::json& old);

}  // namespace ferry::api
