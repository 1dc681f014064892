// One serving thread's sockets: a UDP socket read and answered in batches (recvmmsg/sendmmsg
// over reused buffers), and a TCP acceptor whose connections run on the same io_context.
#pragma once

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <memory>
#include <vector>

#include "dns_server.h"
#include "ferry/dns/address_set.h"
#include "udp_batch.h"

namespace ferry::dns {

// The client address in the form the ACL and the rate limiter use.
ClientAddress clientAddress(const boost::asio::ip::address& a);
ClientAddress clientAddress(const sockaddr* a);

class DnsWorker {
 public:
  DnsWorker(const DnsServerOptions& options, const ZoneIndex& index, QueryMetrics& metrics,
            ForwardMetrics& forward_metrics);
  ~DnsWorker();

  // Binds UDP and TCP on the endpoint with SO_REUSEPORT; throws boost::system::system_error.
  void bind(const boost::asio::ip::udp::endpoint& endpoint);
  uint16_t udpPort() const { return udp_.local_endpoint().port(); }
  void run();
  void stop();

 private:
  // Waits for a datagram, then serves it with whatever else is queued.
  void receiveUdp();
  // Answers batch_ slots [0, count) and sends the answers with one sendmmsg().
  void serveUdp(size_t count);
  void acceptTcp();
  // Response-rate limiting of one UDP answer: false to drop it; may truncate it (slip).
  bool rateLimit(const ClientAddress& client, std::span<uint8_t> message, size_t& size);
  // Sends a forwarded answer that arrived after its batch was gone.
  void sendLate(const boost::asio::ip::udp::endpoint& to, std::span<const uint8_t> bytes);

  const DnsServerOptions& options_;
  const ZoneIndex& index_;
  QueryMetrics& metrics_;
  ForwardMetrics& forward_metrics_;
  boost::asio::io_context io_{1};
  boost::asio::ip::udp::socket udp_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::ip::udp::endpoint peer_;
  UdpBatch batch_;
  std::vector<uint8_t> late_out_;
  std::shared_ptr<size_t> tcp_connections_ = std::make_shared<size_t>(0);
  std::unique_ptr<UpstreamForwarder> forwarder_;  // null: forwarding off
  ResponseRateLimiter rrl_;
};

}  // namespace ferry::dns
