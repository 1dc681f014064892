// Mirror mode: ferry-controlplane as a replica of an upstream Kubernetes API server, so its
// agents' feed can serve nodes of an existing cluster (ferry in place of kube-proxy).
//
// Per mirrored kind (mirror_replica.h), as client-go's reflector does: list (paginated), write
// the difference into the local store, then watch from the list's resourceVersion with
// bookmarks, applying each batch of events as one store transaction. A watch that ends by
// itself (timeoutSeconds) is resumed from the last resourceVersion seen; 410 Gone (the
// upstream compacted past it) relists; a lost connection reconnects with bounded exponential
// backoff while the local store goes on serving the last state. Everything runs on one thread
// of its own; the store writes block it briefly (one fsync per batch, group-committed).
#pragma once

// clang-format off
#include <utility>  // boost/asio/awaitable.hpp (1.74) uses std::exchange without including it
// clang-format on

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ferry/controlplane/mirror_http.h"
#include "ferry/controlplane/mirror_replica.h"
#include "ferry/runtime/metrics.h"
#include "ferry/store/store.h"

namespace ferry::controlplane {

struct MirrorOptions {
  std::chrono::milliseconds backoff_min{200};
  std::chrono::milliseconds backoff_max{10000};
  std::chrono::seconds request_timeout{30};  // connect, handshake, one list page
  std::chrono::seconds watch_timeout{300};   // timeoutSeconds asked of the upstream per watch
  // No byte for this long on a watch (bookmarks come about every minute): the peer is gone.
  std::chrono::seconds watch_idle{90};
  size_t list_page = 500;                     // objects per list page (limit=)
  size_t max_page_bytes = size_t{256} << 20;  // a list page bigger than this is refused
};

class Mirror {
 public:
  Mirror(store::Store& store, UpstreamEndpoint upstream,
         std::shared_ptr<boost::asio::ssl::context> tls, runtime::Registry& metrics,
         MirrorOptions options = {}, std::vector<MirroredKind> kinds = feedMirroredKinds());
  ~Mirror();  // stops
  Mirror(const Mirror&) = delete;
  Mirror& operator=(const Mirror&) = delete;

  void start();
  void stop();
  // Every kind has been listed once: the local store holds the upstream's state (readiness).
  bool synced() const { return synced_.load(); }

 private:
  struct KindState {
    MirroredKind kind;
    bool listed = false;
    runtime::Counter* relists = nullptr;
    runtime::Counter* events = nullptr;
    runtime::Counter* reconnects = nullptr;
    runtime::Counter* invalid = nullptr;
    runtime::Counter* store_errors = nullptr;
  };
  enum class WatchEnd {
    kExpired,      // ended normally (timeoutSeconds): watch again from the last resourceVersion
    kGone,         // 410: list again
    kFailed,       // transport or server failure: back off, then watch again
    kStoreFailed,  // the local store refused a write: back off, then list again
  };

  boost::asio::awaitable<void> run(KindState& k);
  // Lists the kind into the local store; the list's resourceVersion, or nullopt on failure.
  boost::asio::awaitable<std::optional<std::string>> list(KindState& k);
  // Watches from `rv`, advancing it past every event applied.
  boost::asio::awaitable<WatchEnd> watch(KindState& k, std::string& rv);
  // Synchronous parts, kept out of the coroutines.
  WatchEnd applyLines(KindState& k, std::string& pending, std::string& rv, bool& ended);
  std::optional<std::string> applyList(KindState& k, std::vector<std::string>& pages);
  void markListed(KindState& k);

  store::Store& store_;
  Replica replica_;
  const UpstreamEndpoint upstream_;
  const std::shared_ptr<boost::asio::ssl::context> tls_;
  runtime::Registry& metrics_;
  const MirrorOptions options_;
  std::vector<KindState> kinds_;
  std::atomic<bool> synced_{false};
  runtime::Gauge* synced_gauge_;
  std::thread thread_;
  // Last: destroyed first, with the coroutine frames that refer to the members above.
  std::unique_ptr<boost::asio::io_context> io_;
};

}  // namespace ferry::controlplane
