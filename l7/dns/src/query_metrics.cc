#include "ferry/dns/query_metrics.h"

namespace ferry::dns {

QueryMetrics::QueryMetrics(runtime::Registry& registry) {
  for (size_t t = 0; t < kTypeSlots; ++t) {
    const char* type = t < kTypes.size() ? rrTypeName(kTypes[t]) : "other";
    for (size_t r = 0; r < kRcodes.size(); ++r) {
      queries_[t * kRcodes.size() + r] = &registry.counter(
          "ferry_dns_responses_total", "DNS responses by query type and response code.",
          {{"qtype", type}, {"rcode", rcodeName(kRcodes[r])}});
    }
  }
  requests_[0] =
      &registry.counter("ferry_dns_requests_total", "DNS requests received.", {{"proto", "udp"}});
  requests_[1] =
      &registry.counter("ferry_dns_requests_total", "DNS requests received.", {{"proto", "tcp"}});
  for (size_t p = 1; p < kProblemSlots; ++p) {
    malformed_[p] = &registry.counter(
        "ferry_dns_malformed_total", "Requests that did not parse as a DNS query, by problem.",
        {{"problem", parseProblemName(static_cast<ParseProblem>(p))}});
  }
  truncated_ =
      &registry.counter("ferry_dns_truncated_total",
                        "UDP responses truncated (TC set) for exceeding the client's size.");
  dropped_ = &registry.counter("ferry_dns_dropped_total",
                               "Requests dropped without a response (no header, or a response).");
  udp_send_errors_ =
      &registry.counter("ferry_dns_udp_send_errors_total",
                        "UDP answers the socket refused (buffer full, unreachable).");
  tcp_rejected_ = &registry.counter("ferry_dns_tcp_rejected_total",
                                    "TCP connections closed at accept: over the per-worker limit.");
  // 10 µs .. 100 ms: a batch is served in microseconds unless the machine is starved.
  udp_batch_seconds_ =
      &registry.histogram("ferry_dns_udp_batch_seconds",
                          "Time from a UDP batch's first datagram read to its answers sent.", {},
                          {1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 1e-2, 1e-1});
  udp_batch_size_ =
      &registry.histogram("ferry_dns_udp_batch_queries", "Datagrams per UDP batch (recvmmsg).", {},
                          {1, 2, 4, 8, 16, 32});
}

void QueryMetrics::count(Transport transport, const Response& response) {
  requests_[transport == Transport::kTcp ? 1 : 0]->inc();
  const auto problem = static_cast<size_t>(response.problem);
  if (problem > 0 && problem < kProblemSlots) malformed_[problem]->inc();
  if (response.size == 0) {
    dropped_->inc();
    return;
  }
  if (response.truncated) truncated_->inc();
  size_t t = 0;
  while (t < kTypes.size() && kTypes[t] != response.qtype) ++t;
  size_t r = 0;
  while (r < kRcodes.size() && kRcodes[r] != response.rcode) ++r;
  if (r < kRcodes.size()) queries_[t * kRcodes.size() + r]->inc();
}

}  // namespace ferry::dns
