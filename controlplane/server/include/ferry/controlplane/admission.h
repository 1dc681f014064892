// Per-kind write admission: defaulting, validation and (for Services) allocation, in the order
// kube-apiserver applies them. One place decides what a kind needs, so the REST handlers
// stay kind-agnostic.
#pragma once

#include <string>

#include "ferry/controlplane/object_storage.h"
#include "ferry/controlplane/service_allocation.h"

namespace ferry::controlplane {

class Admission {
 public:
  explicit Admission(ServiceAllocation& services) : services_(services) {}

  // The AdmitFn for `kind` (create and update).
  AdmitFn admitFor(const ResourceInfo& r, const std::string& subresource) const;
  // The ReleaseFn for `kind` (delete), or null when a kind holds nothing.
  ReleaseFn releaseFor(const ResourceInfo& r) const;

 private:
  ServiceAllocation& services_;
};

}  // namespace ferry::controlplane
