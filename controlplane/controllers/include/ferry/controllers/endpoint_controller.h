// The endpoint controllers' loops inside ferry-controlplane: the EndpointSlice controller, the
// Endpoints controller and the EndpointSlice mirroring controller, sharing one set of watches,
// one cache and one work queue of Service keys.
//
// One watcher thread lists and watches Services, Pods, Endpoints, EndpointSlices and Nodes in the
// store (re-listing when a watch is compacted away or cut off for falling behind), keeps the
// decoded objects in ObjectCaches and turns each change into the keys of the Services it
// concerns (service_keys.h). One worker thread takes keys off the WorkQueue, runs the pure
// reconcilers (reconcileEndpointSlices + reconcileEndpoints for Services with a selector,
// mirrorEndpointSlices for those without) on a snapshot of the cache, and writes the result
// through ObjectStorage with the same admission as the REST API. A write that loses a race
// (409) or fails re-queues the Service with exponential backoff; a delete of something already
// gone (404) is success.
//
// There is no garbage collector in ferry-controlplane, so when a Service goes away its managed
// slices are deleted here, and its Endpoints when the deletion was seen (kube's endpoints
// controller deletes it on the Service's delete event).
#pragma once

#include <chrono>
#include <memory>

#include "ferry/controlplane/admission.h"
#include "ferry/controlplane/object_storage.h"
#include "ferry/runtime/metrics.h"

namespace ferry::controlplane {

struct EndpointControllerOptions {
  int max_endpoints_per_slice = 100;  // kube-controller-manager --max-endpoints-per-slice
  // Retries of a failed or incomplete sync wait base * 2^failures, at most max.
  std::chrono::milliseconds backoff_base{20};
  std::chrono::milliseconds backoff_max{30000};
  // How long the watcher sleeps between attempts when the store refuses to list or watch.
  std::chrono::milliseconds relist_backoff{500};
};

class EndpointController {
 public:
  EndpointController(ObjectStorage& storage, const Admission& admission, runtime::Registry& metrics,
                     EndpointControllerOptions options = {});
  ~EndpointController();  // stop()s
  EndpointController(const EndpointController&) = delete;
  EndpointController& operator=(const EndpointController&) = delete;

  // Starts the watcher and worker threads. Call once.
  void start();
  // Ends both threads and cancels the watches; idempotent.
  void stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ferry::controlplane
