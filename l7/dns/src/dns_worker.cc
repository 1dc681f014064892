#include "dns_worker.h"

#include <sys/socket.h>

#include <boost/asio/socket_base.hpp>

#include "tcp_connection.h"

namespace ferry::dns {

namespace asio = boost::asio;
using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

DnsWorker::DnsWorker(const DnsServerOptions& options, const ZoneIndex& index, QueryMetrics& metrics)
    : options_(options),
      index_(index),
      metrics_(metrics),
      udp_(io_),
      acceptor_(io_),
      udp_in_(kMaxMessageSize),
      udp_out_(kMaxMessageSize) {}

void DnsWorker::bind(const asio::ip::udp::endpoint& endpoint) {
  udp_.open(endpoint.protocol());
  udp_.set_option(ReusePort(true));
  udp_.bind(endpoint);
  // Answers are sent synchronously from the receive handler; a full send buffer must drop the
  // answer (the client retries) rather than stall the worker.
  udp_.non_blocking(true);
  const asio::ip::tcp::endpoint tcp_endpoint(endpoint.address(), udp_.local_endpoint().port());
  acceptor_.open(tcp_endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.set_option(ReusePort(true));
  acceptor_.bind(tcp_endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);
}

void DnsWorker::run() {
  receiveUdp();
  acceptTcp();
  io_.run();
}

void DnsWorker::stop() {
  asio::post(io_, [this] {
    boost::system::error_code ignored;
    udp_.close(ignored);
    acceptor_.close(ignored);
    io_.stop();
  });
}

void DnsWorker::receiveUdp() {
  udp_.async_receive_from(
      asio::buffer(udp_in_), peer_, [this](const boost::system::error_code& ec, size_t n) {
        if (ec == asio::error::operation_aborted || !udp_.is_open()) return;
        if (!ec) {
          const Response r =
              respond(*index_.snapshot(), std::span<const uint8_t>(udp_in_.data(), n),
                      Transport::kUdp, udp_out_, options_.responder);
          metrics_.count(Transport::kUdp, r);
          if (r.size > 0) {
            boost::system::error_code send_ec;
            udp_.send_to(asio::buffer(udp_out_.data(), r.size), peer_, 0, send_ec);
            if (send_ec) metrics_.udpSendFailed();
          }
        }
        receiveUdp();
      });
}

void DnsWorker::acceptTcp() {
  acceptor_.async_accept([this](const boost::system::error_code& ec, asio::ip::tcp::socket s) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) {
      if (*tcp_connections_ >= options_.max_tcp_connections) {
        // Counted before the close, so whoever sees the close also sees the count.
        metrics_.tcpRejected();
        boost::system::error_code ignored;
        s.close(ignored);
      } else {
        std::make_shared<TcpConnection>(std::move(s), options_, index_, metrics_, tcp_connections_)
            ->start();
      }
    }
    acceptTcp();
  });
}

}  // namespace ferry::dns
