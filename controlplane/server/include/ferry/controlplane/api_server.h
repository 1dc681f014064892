// The Kubernetes-compatible REST API: authentication, authorization, discovery, OpenAPI and
// the verbs (get, list, watch, create, update, patch, delete) over every registered resource.
#pragma once

#include <utility>  // before boost/asio/awaitable.hpp (1.74), which needs std::exchange

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ferry/controlplane/admission.h"
#include "ferry/controlplane/auth.h"
#include "ferry/controlplane/http_server.h"
#include "ferry/controlplane/object_storage.h"
#include "ferry/controlplane/watch_cache.h"
#include "ferry/runtime/metrics.h"

namespace ferry::api {
struct ResourceType;
}

namespace ferry::controlplane {

struct ApiServerOptions {
  std::chrono::seconds bookmark_interval{60};
  std::chrono::seconds max_watch_timeout{1800};  // watches end by themselves (clients re-watch)
  size_t watch_queue_limit = 1000;               // events a slow watcher may lag behind (store watches)
  size_t watch_cache_capacity = 4096;            // events each resource's watch cache keeps
  std::function<void()> on_scrape;               // refreshes pull-style gauges before /metrics
  // /readyz answers 503 while this returns false (null: always ready). /healthz and /livez
  // are unaffected.
  std::function<bool()> ready;
  // Non-empty: the API is read-only (mirror mode) and every write is refused with 405 and this
  // message.
  std::string read_only_message;
};

// A whole response, computed synchronously: every verb but watch.
struct Reply {
  int code = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::string> warnings{};  // sent as `Warning: 299 - "..."` headers (kubectl prints them)
};

// What a watch request resolved to, streamed by ApiServer::watch().
struct WatchPlan {
  const api::ResourceType* type = nullptr;
  ResourceInfo info;
  std::string ns;
  std::function<bool(const json&)> filter;
};

class ApiServer {
 public:
  ApiServer(ObjectStorage& storage, const Authenticator& auth, const Admission& admission,
            runtime::Registry& metrics, ApiServerOptions options = {});

  boost::asio::awaitable<void> handle(HttpRequest& req, ResponseWriter& out);

 private:
  // A write refused in read-only mode (options_.read_only_message).
  Reply readOnlyReply() const;
  // Resource verbs, synchronous (the store's calls block briefly on fsync for writes): GCC 12's
  // coroutines mis-handle some initializer lists, and plain functions are easier to test.
  Reply serveResource(HttpRequest& req, const UserInfo& user, std::optional<WatchPlan>& watch_plan);
  boost::asio::awaitable<void> watch(HttpRequest& req, ResponseWriter& out, const WatchPlan& plan);
  class WatchSource;
  // The resource's watch cache, started on first use and kept for the server's lifetime.
  std::shared_ptr<WatchCache> cacheFor(const ResourceInfo& info);
  store::Result<std::unique_ptr<WatchSource>> openWatch(const ResourceInfo& info, const std::string& prefix,
                                                        store::Revision after, std::function<void()> on_ready);
  Reply deleteNamespace(const std::string& name, const std::string& uid, const std::string& rv);

  ObjectStorage& storage_;
  const Authenticator& auth_;
  const Admission& admission_;
  runtime::Registry& metrics_;
  ApiServerOptions options_;
  std::mutex caches_mu_;
  std::map<std::string, std::shared_ptr<WatchCache>> caches_;  // by resource key prefix
  std::chrono::system_clock::time_point started_ = std::chrono::system_clock::now();
};

ResourceInfo resourceInfo(const api::ResourceType& t);

}  // namespace ferry::controlplane
