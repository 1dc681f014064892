// The agent's one pipeline: feed state -> compiler -> snapshot -> fast paths. Fed by the feed
// client's listener (one thread, in order), so it needs no locking of its own beyond what its
// observers read (health, metrics).
//
// The last good state is never dropped: when the control plane goes away the feed client
// keeps its objects and nothing here changes, so forwarding goes on unchanged; a failed
// programming attempt is retried with the next update (and counted).
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

#include "ferry/agent/fast_path.h"
#include "ferry/agent/service_compiler.h"
#include "ferry/feed/feed_state.h"
#include "ferry/runtime/metrics.h"

namespace ferry::agent {

class SyncLoop {
 public:
  SyncLoop(CompilerOptions options, std::vector<FastPath*> fast_paths, runtime::Registry& metrics);

  // The feed client's listener.
  void onFeedUpdate(const feed::FeedState& state, const feed::FeedUpdate& update);

  // When the fast paths last matched the feed (kube-proxy's /healthz "lastUpdated"); zero
  // before the first success.
  std::chrono::system_clock::time_point lastProgrammed() const;
  // Whether the last attempt failed (and the next update retries).
  bool pendingRetry() const { return pending_retry_.load(); }
  model::ServiceSnapshot::Ptr current() const;

 private:
  void programAll(const model::ServiceSnapshot::Ptr& snapshot);

  ServiceCompiler compiler_;
  std::vector<FastPath*> fast_paths_;
  runtime::Registry& metrics_;
  mutable std::mutex mu_;  // guards current_ and last_programmed_ for observers
  model::ServiceSnapshot::Ptr current_;
  std::chrono::system_clock::time_point last_programmed_{};
  std::atomic<bool> pending_retry_{false};
};

}  // namespace ferry::agent
