// The control plane's feed as the DNS zone's object source: Services and EndpointSlices from
// the agents' feed (ferry/feed), applied as they change. Answers are SERVFAIL until the first
// snapshot arrives (the zone is not synced before), and stay as last seen while the control
// plane is away.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <tuple>

#include "ferry/dns/object_sink.h"
#include "ferry/feed/feed_client.h"

namespace ferry::dns {

class FeedObjectSource final : public ObjectSource {
 public:
  explicit FeedObjectSource(feed::FeedClientOptions options);
  ~FeedObjectSource() override;

  // Starts subscribing and returns at once: the zone syncs when the first snapshot arrives.
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

}  // namespace ferry::dns
