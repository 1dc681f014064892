// UDP and TCP serving of DNS on one port. Each worker thread owns an io_context with its own
// UDP socket and TCP acceptor bound with SO_REUSEPORT, so the kernel spreads datagrams and
// connections across workers and no state is shared on the query path except the zone
// snapshot (an atomic load) and the metrics (relaxed atomics).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "ferry/api/result.h"
#include "ferry/dns/forward_metrics.h"
#include "ferry/dns/query_metrics.h"
#include "ferry/dns/rate_limiter.h"
#include "ferry/dns/responder.h"
#include "ferry/dns/zone_index.h"
#include "upstream_forwarder.h"

namespace ferry::dns {

struct DnsServerOptions {
  boost::asio::ip::address address;
  uint16_t port = 53;  // 0: pick one (UDP and TCP get the same)
  unsigned workers = 1;
  // RFC 7766 §6.2.3: close connections that have been idle this long.
  std::chrono::milliseconds tcp_idle_timeout{10000};
  // Per worker; connections beyond it are closed at once so a flood cannot exhaust descriptors.
  size_t max_tcp_connections = 1024;
  ResponderOptions responder;
  // Names outside our zones (no upstreams: REFUSED). Each worker gets its own forwarder.
  ForwarderOptions forwarder;
  // UDP responses only; clients in `rrl_exempt` (loopback by default) are never limited.
  RrlOptions rrl;
  AddressSet rrl_exempt;
};

class DnsWorker;

class DnsServer {
 public:
  DnsServer(DnsServerOptions options, const ZoneIndex& index, QueryMetrics& metrics,
            ForwardMetrics& forward_metrics);
  ~DnsServer();

  // Binds every worker's sockets. Error names the address on failure.
  api::Result<bool> bind();
  uint16_t port() const { return port_; }
  // Runs the workers on their own threads until stop().
  void start();
  void stop();

 private:
  DnsServerOptions options_;
  const ZoneIndex& index_;
  QueryMetrics& metrics_;
  ForwardMetrics& forward_metrics_;
  uint16_t port_ = 0;
  std::vector<std::unique_ptr<DnsWorker>> workers_;
  std::vector<std::thread> threads_;
};

}  // namespace ferry::dns
