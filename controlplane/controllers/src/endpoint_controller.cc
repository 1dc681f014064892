#include "ferry/controllers/endpoint_controller.h"

#include <algorithm>
#include <map>
#include <thread>

#include "cache_watcher.h"
#include "controller_cache.h"
#include "ferry/api/resources.h"
#include "ferry/controllers/work_queue.h"
#include "ferry/controlplane/api_server.h"
#include "ferry/runtime/log.h"
#include "service_sync.h"

namespace ferry::controlplane {

namespace detail {

ResourceInfo resourceFor(Kind kind) {
  switch (kind) {
    case Kind::kService:
      return resourceInfo(*api::findResource("", "v1", "services"));
    case Kind::kPod:
      return resourceInfo(*api::findResource("", "v1", "pods"));
    case Kind::kEndpoints:
      return resourceInfo(*api::findResource("", "v1", "endpoints"));
    case Kind::kEndpointSlice:
      return resourceInfo(*api::findResource("discovery.k8s.io", "v1", "endpointslices"));
    case Kind::kNode:
      return resourceInfo(*api::findResource("", "v1", "nodes"));
  }
  return {};
}

}  // namespace detail

class EndpointController::Impl {
 public:
  Impl(ObjectStorage& storage, const Admission& admission, runtime::Registry& metrics,
       EndpointControllerOptions options)
      : options_(options),
        relists_(metrics.counter("ferry_controller_relists_total",
                                 "Lists of a watched resource (the first of each included); more "
                                 "mean watches that fell behind or were compacted away.",
                                 {{"controller", "endpoint"}})),
        watcher_(
            storage.store(), cache_,
            [this](const std::vector<std::string>& keys) {
              for (const auto& key : keys) queue_.add(key);
            },
            options.relist_backoff, relists_),
        sync_(storage, admission, cache_, {options.max_endpoints_per_slice}),
        syncs_(metrics.counter("ferry_controller_syncs_total", "Service reconciles run.",
                               {{"controller", "endpoint"}})),
        errors_(metrics.counter("ferry_controller_sync_errors_total",
                                "Service reconciles that failed and were retried.",
                                {{"controller", "endpoint"}})),
        conflicts_(metrics.counter("ferry_controller_sync_conflicts_total",
                                   "Service reconciles that lost a race (409/404) or waited "
                                   "for missing state, and were retried.",
                                   {{"controller", "endpoint"}})),
        writes_(metrics.counter("ferry_controller_writes_total",
                                "EndpointSlice and Endpoints creates, updates and deletes.",
                                {{"controller", "endpoint"}})) {}

  ~Impl() { stop(); }

  void start() {
    watch_thread_ = std::thread([this] { watcher_.run(); });
    work_thread_ = std::thread([this] { work(); });
  }

  void stop() {
    watcher_.stop();
    queue_.shutDown();
    if (watch_thread_.joinable()) watch_thread_.join();
    if (work_thread_.joinable()) work_thread_.join();
  }

 private:
  void work() {
    while (auto key = queue_.get()) {
      detail::SyncOutcome out;
      try {
        out = sync_.sync(*key);
      } catch (const std::exception& e) {
        // The reconcilers read user objects defensively and should never throw; if one does,
        // that Service is retried and the API server keeps running.
        out.result = detail::SyncOutcome::Result::kFailed;
        out.error = std::string("reconcile threw: ") + e.what();
      }
      syncs_.inc();
      writes_.inc(static_cast<uint64_t>(out.writes));
      for (const auto& w : out.warnings) {
        FERRY_LOG(kDebug, "endpoint controller input skipped", {{"service", *key}, {"warning", w}});
      }
      if (out.result == detail::SyncOutcome::Result::kDone) {
        failures_.erase(*key);
      } else {
        const int n = failures_[*key]++;
        const auto delay = std::min<std::chrono::milliseconds>(
            options_.backoff_max, options_.backoff_base * (int64_t{1} << std::min(n, 20)));
        if (out.result == detail::SyncOutcome::Result::kFailed) {
          errors_.inc();
          FERRY_LOG(kWarn, "endpoint controller sync failed; retrying",
                    {{"service", *key}, {"error", out.error}, {"retry_in_ms", delay.count()}});
        } else {
          // Lost races and pods on nodes not known yet are routine: retried quietly.
          conflicts_.inc();
          FERRY_LOG(kDebug, "endpoint controller sync retried",
                    {{"service", *key}, {"error", out.error}, {"retry_in_ms", delay.count()}});
        }
        queue_.addAfter(*key, delay);
      }
      queue_.done(*key);
    }
  }

  EndpointControllerOptions options_;
  runtime::Counter& relists_;
  detail::ControllerCache cache_;
  WorkQueue queue_;
  detail::CacheWatcher watcher_;
  detail::ServiceSync sync_;
  std::map<std::string, int> failures_;  // worker thread only
  runtime::Counter& syncs_;
  runtime::Counter& errors_;
  runtime::Counter& conflicts_;
  runtime::Counter& writes_;
  std::thread watch_thread_;
  std::thread work_thread_;
};

EndpointController::EndpointController(ObjectStorage& storage, const Admission& admission,
                                       runtime::Registry& metrics,
                                       EndpointControllerOptions options)
    : impl_(std::make_unique<Impl>(storage, admission, metrics, options)) {}

EndpointController::~EndpointController() {
  stop();
}

void EndpointController::start() {
  impl_->start();
}

void EndpointController::stop() {
  impl_->stop();
}

}  // namespace ferry::controlplane
