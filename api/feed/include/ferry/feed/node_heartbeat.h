// Keeps this node's Node object alive in the control plane: a Heartbeat call at start and then
// every `interval` (the kubelet's node-status update, which is the agent's job in ferry).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "ferry/feed/feed_client.h"

namespace ferry::feed {

struct NodeHeartbeatOptions {
  FeedClientOptions connection;                                // target, CA, token, node_name
  std::vector<std::pair<std::string, std::string>> addresses;  // (type, address)
  std::vector<std::string> pod_cidrs;
  std::chrono::milliseconds interval{10000};
  std::string agent_version;
};

class NodeHeartbeat {
 public:
  explicit NodeHeartbeat(NodeHeartbeatOptions options);
  ~NodeHeartbeat();  // stops
  void start();
  void stop();
  uint64_t successes() const { return successes_.load(); }
  uint64_t failures() const { return failures_.load(); }

 private:
  void run();

  NodeHeartbeatOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::atomic<uint64_t> successes_{0}, failures_{0};
  std::thread thread_;
};

}  // namespace ferry::feed
