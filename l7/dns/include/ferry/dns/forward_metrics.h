// Prometheus series for forwarding, the cache, RRL and the recursion ACL, resolved at startup
// (upstreams are known then) so counting is a relaxed atomic increment.
#pragma once

#include <string>
#include <vector>

#include "ferry/runtime/metrics.h"

namespace ferry::dns {

class ForwardMetrics {
 public:
  ForwardMetrics(runtime::Registry& registry, const std::vector<std::string>& upstreams);

  void cacheHit() { cache_hits_->inc(); }
  void cacheMiss() { cache_misses_->inc(); }
  void staleServed() { stale_served_->inc(); }
  void allUpstreamsFailed() { servfail_->inc(); }
  void upstreamQuery(size_t upstream, bool tcp) { at(queries_, upstream, tcp)->inc(); }
  void upstreamError(size_t upstream) { errors_[upstream]->inc(); }
  void upstreamTimeout(size_t upstream) { timeouts_[upstream]->inc(); }
  void rrlDropped() { rrl_dropped_->inc(); }
  void rrlSlipped() { rrl_slipped_->inc(); }
  void recursionRefused() { recursion_refused_->inc(); }

 private:
  static runtime::Counter* at(const std::vector<runtime::Counter*>& v, size_t upstream, bool tcp) {
    return v[upstream * 2 + (tcp ? 1 : 0)];
  }

  runtime::Counter* cache_hits_ = nullptr;
  runtime::Counter* cache_misses_ = nullptr;
  runtime::Counter* stale_served_ = nullptr;
  runtime::Counter* servfail_ = nullptr;
  std::vector<runtime::Counter*> queries_;  // upstream × {udp, tcp}
  std::vector<runtime::Counter*> errors_;
  std::vector<runtime::Counter*> timeouts_;
  runtime::Counter* rrl_dropped_ = nullptr;
  runtime::Counter* rrl_slipped_ = nullptr;
  runtime::Counter* recursion_refused_ = nullptr;
};

}  // namespace ferry::dns
