#include "ferry/controlplane/compactor.h"

#include "ferry/runtime/log.h"
#include "ferry/runtime/metrics.h"

namespace ferry::controlplane {

Compactor::Compactor(boost::asio::io_context& io, store::Store& store, std::chrono::seconds interval)
    : timer_(io), store_(store), interval_(interval) {}

void Compactor::start() {
  previous_ = store_.currentRevision();
  arm();
}

void Compactor::stop() { timer_.cancel(); }

void Compactor::arm() {
  timer_.expires_after(interval_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    const store::Revision target = previous_;
    previous_ = store_.currentRevision();
    if (target > store_.compactedRevision()) {
      store::Status s = store_.compact(target);
      if (s.ok()) {
        runtime::Registry::global().counter("ferry_store_compactions_total", "Store compactions.").inc();
        FERRY_LOG(kDebug, "compacted", {{"revision", target}});
      } else {
        FERRY_LOG(kWarn, "compaction failed", {{"revision", target}, {"error", s.toString()}});
      }
    }
    arm();
  });
}

}  // namespace ferry::controlplane
