#include "config_publisher.h"

#include "ferry/runtime/log.h"

namespace ferry::ingress {

ConfigPublisher::ConfigPublisher(IngressConfigBuilder& builder, ProxyMetrics& metrics,
                                 std::vector<LoadBalancerIngress> publish_addresses)
    : builder_(builder), metrics_(metrics), publish_addresses_(std::move(publish_addresses)) {}

api::Result<bool> ConfigPublisher::apply(std::string_view kind, const nlohmann::json& object) {
  std::lock_guard lock(mu_);
  auto taken = builder_.apply(kind, object);
  if (!batching_) publish();
  return taken;
}

bool ConfigPublisher::remove(std::string_view kind, const std::string& ns,
                             const std::string& name) {
  std::lock_guard lock(mu_);
  const bool removed = builder_.remove(kind, ns, name);
  if (!batching_) publish();
  return removed;
}

void ConfigPublisher::markSynced() {
  std::lock_guard lock(mu_);
  synced_ = true;
  publish();
}

void ConfigPublisher::endBatch() {
  std::lock_guard lock(mu_);
  batching_ = false;
  publish();
}

// Before the first sync nothing is served (the initial list costs one build).
void ConfigPublisher::publish() {
  if (!synced_) return;
  IngressConfig::Ptr config = builder_.build();
  const auto previous = current_.load(std::memory_order_acquire);
  if (previous && previous->config == config) return;

  auto state = std::make_shared<ServingState>();
  state->config = config;
  state->backend_counters.reserve(config->routes().backends().size());
  for (const Backend& b : config->routes().backends()) {
    state->backend_counters.push_back(metrics_.backendCounters(
        b.ns + "/" + b.service.name + ":" +
        (b.service.port_name.empty() ? std::to_string(b.service.port_number)
                                     : b.service.port_name)));
  }
  current_.store(std::move(state), std::memory_order_release);
  metrics_.config_version.set(static_cast<double>(config->version()));
  metrics_.config_reloads.inc();
  metrics_.config_ready.set(1);

  for (const std::string& w : config->warnings()) FERRY_LOG(kWarn, "config", {{"warning", w}});
  // status.loadBalancer.ingress: computed here; PATCHing it through the API server is not
  // implemented yet (the feed is read-only), so the pending updates are only logged.
  if (!publish_addresses_.empty()) {
    for (const StatusUpdate& u : builder_.statusUpdates(publish_addresses_)) {
      FERRY_LOG(kDebug, "ingress status pending",
                {{"namespace", u.ns}, {"name", u.name}, {"addresses", u.ingress.size()}});
    }
  }
  FERRY_LOG(kInfo, "config published",
            {{"version", config->version()},
             {"routes", config->routes().routeCount()},
             {"backends", config->routes().backends().size()},
             {"certificates", config->tls().certificates().size()}});
}

}  // namespace ferry::ingress
