// The legacy Endpoints controller's reconciliation step (core/v1 Endpoints), as a pure function.
//
// Follows kube-controller-manager's endpoints controller (pkg/controller/endpoint syncService)
// and pkg/api/v1/endpoints RepackSubsets:
//   - one address per pod, of the Service's primary IP family (spec.ipFamilies[0]); pods that
//     are Succeeded/Failed or have no IP are left out, and so are terminating pods unless the
//     Service sets publishNotReadyAddresses;
//   - ready pods (or all, with publishNotReadyAddresses) go to addresses, others to
//     notReadyAddresses; hostname when the pod's subdomain is the Service's name;
//   - subsets are repacked: addresses offering an identical set of ports share one subset (a
//     named targetPort resolving differently splits them); an address not ready for one port is
//     not ready for that port's whole subset;
//   - at most 1000 addresses: ready ones are kept first, each subset keeps its proportional
//     share, and the object is annotated endpoints.kubernetes.io/over-capacity: truncated;
//   - labels are the Service's, plus service.kubernetes.io/headless for headless Services.
// Deviations, both to avoid needless writes: the comparison with the existing object is made
// after truncation (kube compares before, and so rewrites an over-capacity object on every
// sync), and orders are fixed (addresses by IP string then pod uid as kube, ports by name,
// port, protocol; subsets by their first port) where kube sorts by hash.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ferry/controllers/well_known.h"

namespace ferry::controlplane {

struct EndpointsOptions {
  int max_addresses = kMaxEndpointsPerEndpoints;  // values < 1 mean 1
  // Written as endpoints.kubernetes.io/last-change-trigger-time whenever the object is
  // written; removed when unset. Never a reason to write by itself.
  std::optional<std::string> trigger_time;
};

// The exception clang-tidy sees is in nlohmann::json's destructor (its internal stack), not
// one this code can raise.
// NOLINTNEXTLINE(bugprone-exception-escape)
struct EndpointsResult {
  enum class Action { kNone, kCreate, kUpdate };
  Action action = Action::kNone;
  // The desired Endpoints object. For kCreate, a new object (metadata.name = the Service's);
  // for kUpdate, the existing object with subsets, labels and annotations replaced (its
  // resourceVersion kept for an optimistic PUT); for kNone, null.
  nlohmann::json endpoints;
  std::vector<std::string> warnings;
  std::string skip_reason;  // see SliceChanges::skip_reason

  bool changed() const { return action != Action::kNone; }
};

// `existing`: the Endpoints object named like the Service, or null when there is none.
EndpointsResult reconcileEndpoints(const nlohmann::json& service,
                                   const std::vector<nlohmann::json>& pods,
                                   const nlohmann::json& existing,
                                   const EndpointsOptions& options = {});

}  // namespace ferry::controlplane
