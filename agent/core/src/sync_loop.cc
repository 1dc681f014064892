#include "ferry/agent/sync_loop.h"

#include "ferry/runtime/log.h"

namespace ferry::agent {

SyncLoop::SyncLoop(CompilerOptions options, std::vector<FastPath*> fast_paths,
                   runtime::Registry& metrics)
    : compiler_(std::move(options)), fast_paths_(std::move(fast_paths)), metrics_(metrics) {}

void SyncLoop::onFeedUpdate(const feed::FeedState& state, const feed::FeedUpdate& update) {
  const auto start = std::chrono::steady_clock::now();
  if (update.full) {
    compiler_.applyAll(state.objects());
  } else {
    for (const auto& key : update.changed) {
      // Absent from the state: deleted. Unparsable text is counted by the compiler.
      auto it = state.objects().find(key);
      compiler_.applyObject(key.kind, key.ns, key.name,
                            it == state.objects().end() ? nullptr : &it->second.json);
    }
  }
  auto snapshot = compiler_.build();
  metrics_.histogram("ferry_agent_compile_seconds", "Feed update to compiled snapshot.")
      .observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  metrics_.gauge("ferry_agent_feed_revision", "Store revision the agent's state is current to.")
      .set(static_cast<double>(update.revision));
  metrics_
      .gauge("ferry_agent_malformed_objects",
             "Objects or fields the compiler skipped as malformed.")
      .set(static_cast<double>(compiler_.malformedCount()));
  {
    std::lock_guard lock(mu_);
    if (snapshot == current_ && !pending_retry_) {
      last_programmed_ = std::chrono::system_clock::now();  // nothing to do: still in step
      return;
    }
  }
  programAll(snapshot);
  metrics_
      .histogram("ferry_agent_programming_latency_seconds",
                 "Feed update received to every fast path programmed.")
      .observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

void SyncLoop::programAll(const model::ServiceSnapshot::Ptr& snapshot) {
  bool ok = true;
  for (FastPath* fp : fast_paths_) {
    std::string error;
    if (!fp->program(*snapshot, error)) {
      ok = false;
      metrics_
          .counter("ferry_agent_programming_errors_total", "Fast path programming failures.",
                   {{"fast_path", fp->name()}})
          .inc();
      FERRY_LOG(kError, "programming failed", {{"fast_path", fp->name()}, {"error", error}});
    }
  }
  metrics_.gauge("ferry_agent_services", "Service ports in the current snapshot.")
      .set(static_cast<double>(snapshot->size()));
  std::lock_guard lock(mu_);
  current_ = snapshot;
  pending_retry_ = !ok;
  if (ok) last_programmed_ = std::chrono::system_clock::now();
}

std::chrono::system_clock::time_point SyncLoop::lastProgrammed() const {
  std::lock_guard lock(mu_);
  return last_programmed_;
}

model::ServiceSnapshot::Ptr SyncLoop::current() const {
  std::lock_guard lock(mu_);
  return current_;
}

}  // namespace ferry::agent
