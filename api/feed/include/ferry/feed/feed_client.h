// Subscribes to the control plane's feed and keeps a FeedState current: reconnects with
// backoff, resumes from the last applied revision, and keeps the last good state while the
// control plane is away (consumers go on forwarding with it).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ferry/feed/feed_state.h"

namespace grpc {
class Channel;
class ClientContext;
}  // namespace grpc

namespace ferry::feed {

struct FeedClientOptions {
  std::string target;  // host:port of the control plane's feed listener
  std::string ca_pem;  // the control plane's CA (PEM); the channel is always TLS
  std::string token;   // bearer token (its role decides what the feed sends)
  std::string node_name;
  std::vector<std::string> kinds;  // empty = all the role may read
  std::chrono::milliseconds reconnect_min{100};
  std::chrono::milliseconds reconnect_max{5000};
  std::chrono::milliseconds keepalive{10000};  // HTTP/2 pings that detect a dead peer
};

// A TLS channel to the feed with the options' CA, bearer token and keepalives.
std::shared_ptr<grpc::Channel> makeFeedChannel(const FeedClientOptions& options);

class FeedClient {
 public:
  // Called on the client's thread after each applied event, in order. `state` may be read
  // there without locking; other threads use copyObjects().
  using Listener = std::function<void(const FeedState& state, const FeedUpdate& update)>;

  FeedClient(FeedClientOptions options, Listener listener);
  ~FeedClient();  // stops
  FeedClient(const FeedClient&) = delete;
  FeedClient& operator=(const FeedClient&) = delete;

  void start();
  void stop();

  // Thread-safe views.
  ObjectMap copyObjects() const;
  int64_t revision() const { return revision_.load(); }
  bool synced() const { return synced_.load(); }
  bool connected() const { return connected_.load(); }
  uint64_t connects() const { return connects_.load(); }
  uint64_t snapshots() const { return snapshots_.load(); }

 private:
  void run();

  const FeedClientOptions options_;
  const Listener listener_;
  mutable std::mutex mu_;  // guards state_ writes against copyObjects(), and context_
  FeedState state_;
  grpc::ClientContext* context_ = nullptr;
  bool stopping_ = false;
  std::atomic<int64_t> revision_{0};
  std::atomic<bool> synced_{false}, connected_{false};
  std::atomic<uint64_t> connects_{0}, snapshots_{0};
  std::thread thread_;
};

}  // namespace ferry::feed
