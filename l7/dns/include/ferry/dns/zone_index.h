// The live zone: cluster objects applied incrementally by a feed, and an immutable Zone snapshot
// rebuilt after each change and published atomically. Query threads call snapshot() and never
// take a lock; writers serialise on a mutex among themselves.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

#include "ferry/dns/zone.h"
#include "ferry/dns/zone_builder.h"
#include "ferry/l7/object_sink.h"
#include "ferry/runtime/metrics.h"

namespace ferry::dns {

class ZoneIndex : public l7::ObjectSink {
 public:
  explicit ZoneIndex(ZoneConfig config = {});

  api::Result<bool> apply(std::string_view kind, const nlohmann::json& object) override;
  bool remove(std::string_view kind, const std::string& ns, const std::string& name) override;
  // Publishes the first complete snapshot: queries stop getting SERVFAIL.
  void markSynced() override;
  void beginBatch() override;
  void endBatch() override;

  std::shared_ptr<const Zone> snapshot() const { return current_.load(std::memory_order_acquire); }

  // DNS programming latency, as kube-proxy's network_programming_duration_seconds: when a
  // snapshot is published, how long ago the controller changed the EndpointSlices it newly
  // includes (their endpoints.kubernetes.io/last-change-trigger-time), i.e. object change to
  // changed answers. Slices without the annotation (hand-written ones) are not observed.
  // Set before objects arrive; null: off.
  void setProgrammingLatency(runtime::Histogram* histogram) { programming_latency_ = histogram; }

 private:
  // Rebuilds from all objects: O(cluster) per change, simple and obviously consistent.
  // Before the first sync nothing is published, so the initial list costs one build.
  void publishLocked();

  const ZoneConfig config_;
  std::mutex mu_;
  ClusterObjects objects_;
  bool synced_ = false;
  bool batching_ = false;
  bool dirty_ = false;  // changed during the batch
  uint32_t serial_ = 1;
  std::atomic<std::shared_ptr<const Zone>> current_;
  runtime::Histogram* programming_latency_ = nullptr;
  std::vector<std::chrono::system_clock::time_point> pending_triggers_;  // since last publish
};

}  // namespace ferry::dns
