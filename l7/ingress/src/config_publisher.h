// The seam between the object sources and the workers: an ObjectSink that feeds the
// IngressConfigBuilder (on the source's thread: the file loader at startup, then the feed
// client's thread) and publishes each new IngressConfig, with its per-backend metric series,
// as one immutable ServingState swapped atomically. Workers load() it per request.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "ferry/ingress/config_builder.h"
#include "ferry/l7/object_sink.h"
#include "proxy_metrics.h"

namespace ferry::ingress {

struct ServingState {
  IngressConfig::Ptr config;
  std::vector<BackendCounters> backend_counters;  // by Backend::id
};

class ConfigPublisher final : public l7::ObjectSink {
 public:
  // `publish_addresses`: what status.loadBalancer.ingress should say (--publish-address).
  ConfigPublisher(IngressConfigBuilder& builder, ProxyMetrics& metrics,
                  std::vector<LoadBalancerIngress> publish_addresses);

  api::Result<bool> apply(std::string_view kind, const nlohmann::json& object) override;
  bool remove(std::string_view kind, const std::string& ns, const std::string& name) override;
  void markSynced() override;
  void beginBatch() override { batching_ = true; }
  void endBatch() override;

  // Null until the first complete sync.
  std::shared_ptr<const ServingState> load() const {
    return current_.load(std::memory_order_acquire);
  }
  bool ready() const { return load() != nullptr; }

 private:
  void publish();

  std::mutex mu_;  // sources call from one thread at a time; this guards against a handover
  IngressConfigBuilder& builder_;
  ProxyMetrics& metrics_;
  std::vector<LoadBalancerIngress> publish_addresses_;
  bool synced_ = false;
  bool batching_ = false;
  std::atomic<std::shared_ptr<const ServingState>> current_;
};

}  // namespace ferry::ingress
