// One DNS-over-TCP connection (RFC 7766): 2-byte length-prefixed messages, several queries per
// connection answered in order (pipelining), closed after an idle timeout.
#pragma once

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <vector>

#include "dns_server.h"

namespace ferry::dns {

class TcpConnection : public std::enable_shared_from_this<TcpConnection> {
 public:
  // `open_count` is the worker's connection count, decremented when this connection ends.
  TcpConnection(boost::asio::ip::tcp::socket socket, const DnsServerOptions& options,
                const ZoneIndex& index, QueryMetrics& metrics, std::shared_ptr<size_t> open_count,
                UpstreamForwarder* forwarder);
  ~TcpConnection();

  void start();

 private:
  void readLength();
  void readMessage(size_t length);
  void answer(size_t length);
  void send(size_t size);  // out_[2, 2 + size), then the next query
  void armIdleTimer();
  void close();

  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer idle_;
  const DnsServerOptions& options_;
  const ZoneIndex& index_;
  QueryMetrics& metrics_;
  std::shared_ptr<size_t> open_count_;
  UpstreamForwarder* forwarder_;  // the worker's; null: forwarding off
  std::array<uint8_t, 2> length_{};
  std::vector<uint8_t> in_;
  std::vector<uint8_t> out_;  // 2-byte prefix + message
};

}  // namespace ferry::dns
