// What the endpoint controllers' watcher and worker share: one ObjectCache per watched kind
// under one lock, and the Services whose deletion was seen but not yet acted on.
#pragma once

#include <array>
#include <cstddef>
#include <mutex>
#include <set>
#include <string>

#include "ferry/controllers/object_cache.h"
#include "ferry/controllers/well_known.h"
#include "ferry/controlplane/object_storage.h"

namespace ferry::controlplane::detail {

enum class Kind : size_t { kService, kPod, kEndpoints, kEndpointSlice, kNode };
// Services first: a relist maps pods to Services through the Service cache.
inline constexpr std::array<Kind, 5> kWatchedKinds = {Kind::kService, Kind::kPod, Kind::kEndpoints,
                                                      Kind::kEndpointSlice, Kind::kNode};

// The REST API's ResourceInfo of `kind`, so keys, metadata and admission match it exactly.
ResourceInfo resourceFor(Kind kind);

struct ControllerCache {
  // EndpointSlices indexed by their Service, which every reconcile looks up.
  ControllerCache() { of(Kind::kEndpointSlice) = ObjectCache(std::string(kLabelServiceName)); }

  std::mutex mu;
  std::array<ObjectCache, kWatchedKinds.size()> caches;
  // Keys of Services seen deleted: their Endpoints is deleted on the next sync.
  std::set<std::string> deleted_services;

  ObjectCache& of(Kind kind) { return caches[static_cast<size_t>(kind)]; }
};

}  // namespace ferry::controlplane::detail
