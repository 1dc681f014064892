// Where endpoints go among the slices of one port mapping: kube's reconcileByPortMapping
// (k8s.io/endpointslice reconciler.go), made deterministic.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "slice_model.h"
#include "slice_objects.h"

namespace ferry::controlplane::detail {

struct PlacedSlice {
  const ExistingSlice* existing = nullptr;  // null for a slice to create
  std::vector<SliceEndpoint> endpoints;
};

struct Placement {
  std::vector<PlacedSlice> to_create;
  std::vector<PlacedSlice> to_update;
  std::vector<const ExistingSlice*> to_delete;
};

// `existing`: the slices of this port mapping, in a fixed order (by name). `desired`: the
// endpoints by endpointKey. `metadata_stale(slice)`: the slice must be rewritten even if its
// endpoints are right (its labels no longer mirror the Service's).
//  1. Each existing slice keeps the desired versions of the endpoints it holds; one that lost
//     or changed an endpoint (or is stale) is rewritten, one left empty is deleted.
//  2. Left-over endpoints first fill the slices being rewritten anyway, fullest first.
//  3. Then, while fewer than `max` remain, the untouched slice they fill closest to full takes
//     them; otherwise new slices are created, `max` endpoints each.
// Left-over endpoints are taken in endpointLess order (kube takes them in map order).
Placement placeEndpoints(const std::vector<const ExistingSlice*>& existing,
                         std::map<std::string, SliceEndpoint> desired, size_t max,
                         const std::function<bool(const ExistingSlice&)>& metadata_stale);

}  // namespace ferry::controlplane::detail
