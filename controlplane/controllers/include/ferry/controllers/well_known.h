// Label, annotation and controller names the endpoint controllers read and write. Values are
// the ones Kubernetes uses (k8s.io/api/discovery/v1 well_known_labels.go, core/v1
// annotation_key_constants.go), so slices written here look like kube-controller-manager's to
// every consumer (kube-proxy, CoreDNS, ferry's own agents).
#pragma once

#include <string_view>

namespace ferry::controlplane {

// discovery.k8s.io/v1 labels.
inline constexpr std::string_view kLabelServiceName = "kubernetes.io/service-name";
inline constexpr std::string_view kLabelManagedBy = "endpointslice.kubernetes.io/managed-by";
inline constexpr std::string_view kLabelSkipMirror = "endpointslice.kubernetes.io/skip-mirror";
// core/v1: set on slices and Endpoints of headless Services (clusterIP None).
inline constexpr std::string_view kLabelHeadless = "service.kubernetes.io/headless";
// Node label carrying the zone an endpoint's node sits in.
inline constexpr std::string_view kLabelTopologyZone = "topology.kubernetes.io/zone";

// Values of kLabelManagedBy.
inline constexpr std::string_view kEndpointSliceControllerName = "endpointslice-controller.k8s.io";
inline constexpr std::string_view kMirroringControllerName =
    "endpointslicemirroring-controller.k8s.io";

// core/v1 annotations.
inline constexpr std::string_view kAnnotationLastChangeTriggerTime =
    "endpoints.kubernetes.io/last-change-trigger-time";
inline constexpr std::string_view kAnnotationOverCapacity = "endpoints.kubernetes.io/over-capacity";
inline constexpr std::string_view kOverCapacityTruncated = "truncated";
inline constexpr std::string_view kAnnotationLastApplied =
    "kubectl.kubernetes.io/last-applied-configuration";
// Leader-election records kept on Endpoints objects; never mirrored.
inline constexpr std::string_view kAnnotationLeaderElection =
    "control-plane.alpha.kubernetes.io/leader";

// Defaults of kube-controller-manager's flags / constants.
inline constexpr int kDefaultMaxEndpointsPerSlice = 100;    // --max-endpoints-per-slice
inline constexpr int kMaxEndpointsPerEndpoints = 1000;      // endpoints controller maxCapacity
inline constexpr int kDefaultMaxEndpointsPerSubset = 1000;  // --mirroring-max-endpoints-per-subset

}  // namespace ferry::controlplane
