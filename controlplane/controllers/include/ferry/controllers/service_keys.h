// Which Services a change to a watched object concerns: the endpoint controllers reconcile per
// Service, so every Pod, EndpointSlice, Endpoints and Node event becomes zero or more Service
// keys ("namespace/name") to queue. Pure functions, as kube's controllers' event handlers
// (pkg/controller/endpointslice endpointslice_controller.go onPod*/onEndpointSlice*,
// pkg/controller/util/endpoint GetServicesToUpdateOnPodChange).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace ferry::controlplane {

// "namespace/name" of a namespaced object, or nullopt when it has no name.
std::optional<std::string> objectKey(const nlohmann::json& obj);

// True when a pod update can change what the endpoint controllers write: labels (membership),
// IPs, phase, the Ready condition, deletionTimestamp, node, hostname/subdomain or container
// ports (named targetPorts). kube's podEndpointsChanged; other updates (kubelet heartbeats of
// unrelated status fields) are ignored so they cost no reconcile.
bool podChangeAffectsEndpoints(const nlohmann::json& old_pod, const nlohmann::json& new_pod);

// The Services of `services` (all of the pod's namespace, or more: others are ignored) that
// select the pod before or after the change, so a pod leaving a Service's selector updates that
// Service too. `old_pod` / `new_pod` are null for a create / delete. Sorted, without duplicates.
std::vector<std::string> serviceKeysForPodChange(
    const nlohmann::json* old_pod, const nlohmann::json* new_pod,
    const std::vector<const nlohmann::json*>& services);

// The Service an EndpointSlice belongs to: its kubernetes.io/service-name label in its namespace.
// Slices of other managers (not the EndpointSlice or mirroring controller) are not ours.
std::optional<std::string> serviceKeyForEndpointSlice(const nlohmann::json& slice);

// The Service an Endpoints object belongs to: the one of the same namespace and name.
std::optional<std::string> serviceKeyForEndpoints(const nlohmann::json& endpoints);

// True when a Node change can change endpoints: it appeared or went away (pods on unknown nodes
// are left out), or its topology.kubernetes.io/zone label changed. Status heartbeats are not.
bool nodeChangeAffectsEndpoints(const nlohmann::json* old_node, const nlohmann::json* new_node);

}  // namespace ferry::controlplane
