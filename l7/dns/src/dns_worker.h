// One serving thread's sockets: a UDP socket answered in place from a reused buffer, and a TCP
// acceptor whose connections run on the same io_context.
#pragma once

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <memory>
#include <vector>

#include "dns_server.h"
#include "ferry/dns/address_set.h"

namespace ferry::dns {

// The client address in the form the ACL and the rate limiter use.
ClientAddress clientAddress(const boost::asio::ip::address& a);

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
  void receiveUdp();
  void acceptTcp();
  // Sends udp_out_[0, size) to `to`, unless response-rate limiting drops or truncates it.
  void sendUdp(const boost::asio::ip::udp::endpoint& to, size_t size);

  const DnsServerOptions& options_;
  const ZoneIndex& index_;
  QueryMetrics& metrics_;
  ForwardMetrics& forward_metrics_;
  boost::asio::io_context io_{1};
  boost::asio::ip::udp::socket udp_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::ip::udp::endpoint peer_;
  std::vector<uint8_t> udp_in_;
  std::vector<uint8_t> udp_out_;
  std::shared_ptr<size_t> tcp_connections_ = std::make_shared<size_t>(0);
  std::unique_ptr<UpstreamForwarder> forwarder_;  // null: forwarding off
  ResponseRateLimiter rrl_;
};

}  // namespace ferry::dns
