// The live zone: cluster objects applied incrementally by a feed, and an immutable Zone snapshot
// rebuilt after each change and published atomically. Query threads call snapshot() and never
// take a lock; writers serialise on a mutex among themselves.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>

#include "ferry/dns/object_sink.h"
#include "ferry/dns/zone.h"
#include "ferry/dns/zone_builder.h"

namespace ferry::dns {

class ZoneIndex : public ObjectSink {
 public:
  explicit ZoneIndex(ZoneConfig config = {});

  api::Result<bool> apply(std::string_view kind, const nlohmann::json& object) override;
  bool remove(std::string_view kind, const std::string& ns, const std::string& name) override;
  // Publishes the first complete snapshot: queries stop getting SERVFAIL.
  void markSynced() override;
  void beginBatch() override;
  void endBatch() override;

  std::shared_ptr<const Zone> snapshot() const { return current_.load(std::memory_order_acquire); }

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
};

}  // namespace ferry::dns
