// The EndpointSlice mirroring controller's reconciliation step, as a pure function: for a
// Service without a selector, mirror the user-written Endpoints object into EndpointSlices.
//
// Follows kube-controller-manager's endpointslicemirroring controller (syncEndpoints,
// reconciler.go, utils.go):
//   - nothing is mirrored (and every mirrored slice is deleted) when the Endpoints or the
//     Service does not exist, the Service has a selector, or the Endpoints is labelled
//     endpointslice.kubernetes.io/skip-mirror=true or carries a leader-election annotation;
//   - each subset's addresses become ready endpoints and its notReadyAddresses ready=false
//     endpoints, at most max_endpoints_per_subset per subset (the rest are skipped with a
//     warning); addresses that are not IPs are skipped with a warning;
//   - one slice per (address type, port set): IPv4 and IPv6 addresses of a subset go to
//     separate slices; the slice is rewritten whole when anything in it differs;
//   - slices copy the Endpoints' labels (plus kubernetes.io/service-name and managed-by
//     endpointslicemirroring-controller.k8s.io) and annotations (minus last-change-trigger-time
//     and kubectl's last-applied-configuration), and are owned by the Endpoints object.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "ferry/controllers/slice_changes.h"
#include "ferry/controllers/well_known.h"

namespace ferry::controlplane {

struct MirroringOptions {
  int max_endpoints_per_subset = kDefaultMaxEndpointsPerSubset;  // values < 1 mean 1
};

// `service` and `endpoints`: the Service and the Endpoints of one name, each null when absent.
// `existing_slices`: the slices labelled kubernetes.io/service-name=<name> and
// managed-by=endpointslicemirroring-controller.k8s.io; others are ignored with a warning.
SliceChanges mirrorEndpointSlices(const nlohmann::json& service, const nlohmann::json& endpoints,
                                  const std::vector<nlohmann::json>& existing_slices,
                                  const MirroringOptions& options = {});

}  // namespace ferry::controlplane
