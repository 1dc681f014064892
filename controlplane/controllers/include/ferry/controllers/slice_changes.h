// The output of the EndpointSlice reconcilers: what to write to the API server, and nothing
// else. The reconcilers are pure functions; a controller loop applies these changes.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ferry::controlplane {

struct SliceChanges {
  // New slices: metadata.generateName set, no metadata.name. POST each.
  std::vector<nlohmann::json> to_create;
  // Complete objects to PUT. They carry the existing metadata.name and, when the existing slice
  // had one, metadata.resourceVersion, so a concurrent writer makes the PUT fail with 409
  // instead of being overwritten; reconcile again from fresh state on conflict.
  std::vector<nlohmann::json> to_update;
  // Existing slices, unmodified, to DELETE (by metadata.name; metadata.uid/resourceVersion are
  // there for preconditions).
  std::vector<nlohmann::json> to_delete;
  // Inputs that could not be understood and were skipped, one line each, naming the object.
  std::vector<std::string> warnings;
  // Set when something was left out for a reason that may resolve by itself (a pod on a node
  // that is not known yet): reconcile again later, as kube requeues the Service with backoff.
  bool retry_later = false;
  // Non-empty when the inputs are not this controller's to manage (e.g. a Service without a
  // selector for the EndpointSlice controller); no changes are proposed then.
  std::string skip_reason;

  bool empty() const { return to_create.empty() && to_update.empty() && to_delete.empty(); }
};

}  // namespace ferry::controlplane
