// The control plane's feed as an object source: the objects of the kinds a daemon asks for
// (ferry-dns: Services, EndpointSlices; ferry-ingress: Ingresses, IngressClasses, Secrets,
// Services, EndpointSlices) from the agents' feed (ferry/feed), applied as they change. The sink
// is marked synced when the first snapshot arrives, and keeps what it last saw while the
// control plane is away.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "ferry/feed/feed_client.h"
#include "ferry/l7/object_sink.h"

namespace ferry::l7 {

class FeedObjectSource final : public ObjectSource {
 public:
  // Subscribes to `kinds` only (options.kinds is overwritten with them).
  FeedObjectSource(feed::FeedClientOptions options, std::vector<std::string> kinds);
  ~FeedObjectSource() override;

  // Starts subscribing and returns at once: the sink is synced when the first snapshot arrives.
  api::Result<bool> start(ObjectSink& sink) override;
  void stop() override;

  const feed::FeedClient* client() const { return client_.get(); }

 private:
  void onUpdate(ObjectSink& sink, const feed::FeedState& state, const feed::FeedUpdate& update);

  feed::FeedClientOptions options_;
  std::unique_ptr<feed::FeedClient> client_;
  std::set<feed::ObjectKey> applied_;  // what the sink holds from us (for resyncs)
  bool synced_ = false;
};

}  // namespace ferry::l7
