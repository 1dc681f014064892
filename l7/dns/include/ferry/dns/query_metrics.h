// Prometheus series for the query path, resolved once at startup so that counting a query is a
// relaxed atomic increment with no lookup, lock or allocation.
#pragma once

#include <array>

#include "ferry/dns/query.h"
#include "ferry/dns/responder.h"
#include "ferry/runtime/metrics.h"

namespace ferry::dns {

class QueryMetrics {
 public:
  explicit QueryMetrics(runtime::Registry& registry);

  void count(Transport transport, const Response& response);
  // Serving-side failures: an answer the socket would not take, a connection over the limit.
  void udpSendFailed() { udp_send_errors_->inc(); }
  // Time a UDP batch spent in the server, from its first datagram read to its answers sent:
  // the server's share of every answer's latency in it (one observation per batch).
  void udpBatchServed(double seconds, size_t queries) {
    udp_batch_seconds_->observe(seconds);
    udp_batch_size_->observe(static_cast<double>(queries));
  }
  void tcpRejected() { tcp_rejected_->inc(); }

 private:
  // Query types with their own label value; the rest count as "other".
  static constexpr std::array<uint16_t, 11> kTypes = {1, 2, 5, 6, 12, 16, 28, 33, 251, 252, 255};
  static constexpr std::array<Rcode, 7> kRcodes = {
      Rcode::kNoError, Rcode::kFormErr, Rcode::kServFail, Rcode::kNxDomain,
      Rcode::kNotImp,  Rcode::kRefused, Rcode::kBadVers};
  static constexpr size_t kTypeSlots = kTypes.size() + 1;
  static constexpr size_t kProblemSlots = 9;  // ParseProblem values

  std::array<runtime::Counter*, kTypeSlots * kRcodes.size()> queries_{};
  std::array<runtime::Counter*, 2> requests_{};  // by transport
  std::array<runtime::Counter*, kProblemSlots> malformed_{};
  runtime::Counter* truncated_ = nullptr;
  runtime::Counter* dropped_ = nullptr;
  runtime::Counter* udp_send_errors_ = nullptr;
  runtime::Counter* tcp_rejected_ = nullptr;
  runtime::Histogram* udp_batch_seconds_ = nullptr;
  runtime::Histogram* udp_batch_size_ = nullptr;
};

}  // namespace ferry::dns
