// The EndpointSlice controller's reconciliation step, as a pure function: from a Service, the
// pods it selects, the nodes' zones and the slices that exist, compute the creates, updates and
// deletes that make the slices represent exactly the Service's endpoints.
//
// Follows kube-controller-manager's reconciler (k8s.io/endpointslice reconciler.go, utils.go):
//   - one endpoint per pod and address type; pods that are Succeeded/Failed or have no IP are
//     left out; terminating pods (deletionTimestamp set) stay in with terminating=true
//     (KEP-1672), serving = the pod's Ready condition, ready = serving && !terminating, or
//     always true when the Service sets publishNotReadyAddresses;
//   - slices per address type (spec.ipFamilies; IPv4 and IPv6 slices separately), and within
//     one type per distinct port mapping: a named targetPort resolves per pod, so pods
//     resolving it differently (or not at all) land in different slices;
//   - churn-minimising placement: existing slices are updated in place, an endpoint that
//     changed rewrites only the slice holding it, new endpoints first fill slices that are
//     being rewritten anyway, then the existing slice that ends up closest to full, and only
//     then new slices; emptied slices are deleted, and a create paired with a delete becomes an
//     update of the doomed slice (finalize());
//   - a Service with no endpoints of an address type keeps exactly one empty "placeholder"
//     slice of that type (ports: [], endpoints: []).
// Deviation for determinism: kube pops endpoints from a hash set in random order; here every
// choice is made in a fixed order (endpoints by address, slices by name) and written endpoints
// are sorted by address, so equal inputs always give equal outputs.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ferry/controllers/slice_changes.h"
#include "ferry/controllers/well_known.h"

namespace ferry::controlplane {

// nodeName -> value of the node's topology.kubernetes.io/zone label. List every known node,
// with "" for nodes without a zone: a pod whose node is not listed is treated as on a node that
// does not exist (see EndpointSliceOptions::skip_pods_on_unknown_nodes).
using NodeZones = std::map<std::string, std::string>;

struct EndpointSliceOptions {
  int max_endpoints_per_slice = kDefaultMaxEndpointsPerSlice;  // values < 1 mean 1
  // kube (1.28+) leaves out pods whose node is unknown, unless the Service publishes not-ready
  // addresses, and requeues the Service: a pod bound to a deleted node must not stay an
  // endpoint forever. Such pods set SliceChanges::retry_later. Turn off where nodes are not
  // tracked.
  bool skip_pods_on_unknown_nodes = true;
  // RFC 3339 time of the change that triggered this reconcile. Written to
  // endpoints.kubernetes.io/last-change-trigger-time on created and updated slices; when unset
  // the annotation is removed from updated slices (as kube's addTriggerTimeAnnotation). It is
  // never a reason to write a slice by itself.
  std::optional<std::string> trigger_time;
};

// `service`: a core/v1 Service. `pods`: the pods its selector matches (see podsSelectedBy);
// pods of another namespace are ignored. `existing_slices`: the slices labelled
// kubernetes.io/service-name=<service> and managed-by=endpointslice-controller.k8s.io; others
// are ignored with a warning. Slices not owned by this Service (ownerReference uid) are deleted,
// as kube does for leftovers of a deleted Service of the same name.
// Services without a selector or of type ExternalName get no changes and a skip_reason.
SliceChanges reconcileEndpointSlices(const nlohmann::json& service,
                                     const std::vector<nlohmann::json>& pods,
                                     const NodeZones& node_zones,
                                     const std::vector<nlohmann::json>& existing_slices,
                                     const EndpointSliceOptions& options = {});

}  // namespace ferry::controlplane
