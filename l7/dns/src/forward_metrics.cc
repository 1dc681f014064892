#include "ferry/dns/forward_metrics.h"

namespace ferry::dns {

ForwardMetrics::ForwardMetrics(runtime::Registry& registry,
                               const std::vector<std::string>& upstreams) {
  const char* cache_help = "Forwarded questions by cache outcome.";
  cache_hits_ = &registry.counter("ferry_dns_cache_total", cache_help, {{"result", "hit"}});
  cache_misses_ = &registry.counter("ferry_dns_cache_total", cache_help, {{"result", "miss"}});
  stale_served_ = &registry.counter("ferry_dns_cache_total", cache_help, {{"result", "stale"}});
  servfail_ = &registry.counter("ferry_dns_forward_failures_total",
                                "Forwarded questions answered SERVFAIL: every upstream failed "
                                "and no stale answer was at hand.");
  for (const auto& u : upstreams) {
    for (const char* proto : {"udp", "tcp"}) {
      queries_.push_back(&registry.counter("ferry_dns_upstream_queries_total",
                                           "Queries sent to upstream resolvers.",
                                           {{"upstream", u}, {"proto", proto}}));
    }
    errors_.push_back(&registry.counter(
        "ferry_dns_upstream_errors_total",
        "Upstream exchanges that failed: network errors, malformed or mismatched answers, "
        "SERVFAIL/REFUSED/NOTIMP/FORMERR.",
        {{"upstream", u}}));
    timeouts_.push_back(&registry.counter("ferry_dns_upstream_timeouts_total",
                                          "Upstream exchanges that timed out.", {{"upstream", u}}));
  }
  const char* rrl_help = "UDP responses over the response-rate limit, by action.";
  rrl_dropped_ = &registry.counter("ferry_dns_rrl_total", rrl_help, {{"action", "drop"}});
  rrl_slipped_ = &registry.counter("ferry_dns_rrl_total", rrl_help, {{"action", "slip"}});
  recursion_refused_ =
      &registry.counter("ferry_dns_recursion_refused_total",
                        "Out-of-zone questions refused: the client is outside --recursion-allow.");
}

}  // namespace ferry::dns
