// The agents' feed (api/feed/proto/ferry/feed/v1/feed.proto) served over gRPC.
//
// One watch cache over the kinds the feed carries serves every subscriber: an event is
// serialized once, a subscriber is a cursor into the cache's ring plus one message in flight.
// Subscribe is a raw method (grpc::ByteBuffer): a delta is a small header plus each change's
// protobuf bytes, encoded once per event and shared by reference between every subscriber's
// message, instead of a FeedEvent built and serialized per subscriber.
// A subscriber gets a snapshot read at one store revision and then deltas from exactly that
// revision; one that resumes within what the ring holds gets only the deltas it missed. One
// that falls behind the ring (a slow agent) gets a fresh snapshot instead of holding anybody
// back. What a subscriber receives is limited by its token's role: the kinds it may watch,
// and of Secrets only TLS ones.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "ferry/controlplane/auth.h"
#include "ferry/controlplane/node_registrar.h"
#include "ferry/controlplane/watch_cache.h"
#include "ferry/feed/v1/feed.grpc.pb.h"
#include "ferry/runtime/metrics.h"
#include "ferry/store/store.h"

namespace boost::asio {
class io_context;
}

namespace ferry::controlplane {

struct FeedServiceOptions {
  size_t snapshot_part_objects = 1000;  // objects per snapshot message
  size_t delta_max_changes = 512;       // changes per delta message
  size_t cache_capacity = 16384;        // events the feed's ring keeps for resumes and laggards
};

class FeedService final
    : public feed::v1::Feed::WithRawCallbackMethod_Subscribe<feed::v1::Feed::CallbackService> {
 public:
  // `registrar` (optional) serves Heartbeat; without it heartbeats answer UNIMPLEMENTED.
  FeedService(store::Store& store, const Authenticator& auth, runtime::Registry& metrics,
              FeedServiceOptions options = {}, NodeRegistrar* registrar = nullptr);
  ~FeedService() override;

  grpc::ServerWriteReactor<grpc::ByteBuffer>* Subscribe(grpc::CallbackServerContext* context,
                                                        const grpc::ByteBuffer* request) override;

  grpc::ServerUnaryReactor* Heartbeat(grpc::CallbackServerContext* context,
                                      const feed::v1::NodeHeartbeat* request,
                                      feed::v1::HeartbeatReply* reply) override;

  size_t subscribers() const { return subscribers_.load(); }

 private:
  class Stream;
  friend class Stream;

  store::Store& store_;
  const Authenticator& auth_;
  runtime::Registry& metrics_;
  const FeedServiceOptions options_;
  NodeRegistrar* registrar_;
  std::shared_ptr<WatchCache> cache_;
  // Builds and starts messages off the cache's thread (its callbacks must not block or poll).
  std::unique_ptr<boost::asio::io_context> io_;
  std::vector<std::thread> workers_;
  runtime::Counter* messages_sent_;
  runtime::Counter* resumes_;
  std::atomic<size_t> subscribers_{0};
};

}  // namespace ferry::controlplane
