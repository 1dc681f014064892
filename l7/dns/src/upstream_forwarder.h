// One worker's forwarder for names outside our zones: the answer cache, then the upstream
// resolvers over UDP (TCP when the answer comes back truncated), each exchange with a timeout
// and failover to the next upstream, SERVFAIL (or a stale answer, RFC 8767) when all fail.
//
// Everything runs on the worker's io_context: no thread of its own, no locks. The cache is per
// worker too: a shared one would put a lock (or sharded locks) on every forwarded question from
// every core, while the price of per-worker caches is only a lower hit rate while they warm
// (the kernel spreads clients over workers) and memory (--cache-size is split between them).
#pragma once

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "ferry/dns/address_set.h"
#include "ferry/dns/forward_metrics.h"
#include "ferry/dns/responder.h"
#include "ferry/dns/response_cache.h"

namespace ferry::dns {

struct UpstreamEndpoint {
  boost::asio::ip::address address;
  uint16_t port = 53;
  std::string name() const;  // "127.0.0.1:53", "[::1]:53": the metrics label
};

struct ForwarderOptions {
  std::vector<UpstreamEndpoint> upstreams;  // empty: forwarding off (REFUSED)
  std::chrono::milliseconds timeout{2000};  // per exchange with one upstream
  CacheOptions cache;                       // max_entries per worker
  AddressSet recursion_allow;
  uint16_t max_udp_payload = 4096;  // what we answer clients with at most (ResponderOptions)
};

enum class ForwardStatus { kRefused, kAnswered, kMiss };

class UpstreamForwarder {
 public:
  // Called once, on the worker's thread, with the answer in a buffer that is reused after the
  // call returns: send or copy it before returning.
  using Done = std::function<void(const Response&, std::span<const uint8_t>)>;

  UpstreamForwarder(boost::asio::io_context& io, const ForwarderOptions& options,
                    ForwardMetrics& metrics);
  ~UpstreamForwarder();
  UpstreamForwarder(const UpstreamForwarder&) = delete;
  UpstreamForwarder& operator=(const UpstreamForwarder&) = delete;

  // `query` is one the responder found not ours. kRefused: the client may not recurse (the
  // REFUSED already written stands). kAnswered: from the cache, into `answer` and `out`,
  // allocating nothing. kMiss: `q` and `limit` are filled in for start().
  ForwardStatus lookup(const ClientAddress& client, std::span<const uint8_t> query,
                       Transport transport, std::span<uint8_t> out, Response& answer, Query& q,
                       size_t& limit);
  // Asks the upstreams; `done` follows (unless the worker stops first).
  void start(const Query& q, size_t limit, Done done);
  void stop();

 private:
  struct Pending;
  struct UdpSocket {
    explicit UdpSocket(boost::asio::io_context& io) : socket(io) {}
    boost::asio::ip::udp::socket socket;
    std::vector<uint8_t> buffer;
    size_t upstream = 0;
  };

  void receive(size_t socket_index);
  void startUdp(const std::shared_ptr<Pending>& p);
  void startTcp(const std::shared_ptr<Pending>& p);
  void armTimer(const std::shared_ptr<Pending>& p);
  // An upstream answered: cache and serve it, retry over TCP, or fail over.
  void onAnswer(const std::shared_ptr<Pending>& p, std::span<const uint8_t> message, bool tcp);
  void failOver(const std::shared_ptr<Pending>& p);
  void finish(const std::shared_ptr<Pending>& p, const ServedAnswer& served);
  uint16_t freshId() const;
  void endAttempt(Pending& p);

  boost::asio::io_context& io_;
  const ForwarderOptions& options_;
  ForwardMetrics& metrics_;
  ResponseCache cache_;
  std::vector<std::unique_ptr<UdpSocket>> sockets_;  // kSocketsPerUpstream per upstream
  std::unordered_map<uint16_t, std::shared_ptr<Pending>> udp_pending_;  // by upstream query ID
  std::unordered_map<Pending*, std::shared_ptr<Pending>> live_;         // every unfinished question
  std::vector<uint8_t> out_;
  bool stopped_ = false;
};

}  // namespace ferry::dns
