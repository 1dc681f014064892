#include "dns_worker.h"

#include <sys/socket.h>

#include <boost/asio/post.hpp>
#include <boost/asio/socket_base.hpp>

#include "tcp_connection.h"

namespace ferry::dns {

namespace asio = boost::asio;
using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

ClientAddress clientAddress(const asio::ip::address& a) {
  return a.is_v4() ? ClientAddress::v4(a.to_v4().to_bytes())
                   : ClientAddress::v6(a.to_v6().to_bytes());
}

DnsWorker::DnsWorker(const DnsServerOptions& options, const ZoneIndex& index, QueryMetrics& metrics,
                     ForwardMetrics& forward_metrics)
    : options_(options),
      index_(index),
      metrics_(metrics),
      forward_metrics_(forward_metrics),
      udp_(io_),
      acceptor_(io_),
      udp_in_(kMaxMessageSize),
      udp_out_(kMaxMessageSize),
      rrl_(options.rrl) {
  if (!options_.forwarder.upstreams.empty()) {
    forwarder_ = std::make_unique<UpstreamForwarder>(io_, options_.forwarder, forward_metrics_);
  }
}

// The forwarder's sockets and timers belong to io_, which outlives it (declared first).
DnsWorker::~DnsWorker() = default;

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
    if (forwarder_) forwarder_->stop();
    io_.stop();
  });
}

void DnsWorker::receiveUdp() {
  udp_.async_receive_from(
      asio::buffer(udp_in_), peer_, [this](const boost::system::error_code& ec, size_t n) {
        if (ec == asio::error::operation_aborted || !udp_.is_open()) return;
        if (!ec) {
          const std::span<const uint8_t> query(udp_in_.data(), n);
          Response r =
              respond(*index_.snapshot(), query, Transport::kUdp, udp_out_, options_.responder);
          if (r.not_ours && forwarder_) {
            Response answer;
            Query q;
            size_t limit = 0;
            const auto status = forwarder_->lookup(clientAddress(peer_.address()), query,
                                                   Transport::kUdp, udp_out_, answer, q, limit);
            if (status == ForwardStatus::kMiss) {
              forwarder_->start(
                  q, limit,
                  [this, peer = peer_](const Response& late, std::span<const uint8_t> bytes) {
                    metrics_.count(Transport::kUdp, late);
                    std::copy(bytes.begin(), bytes.end(), udp_out_.begin());
                    sendUdp(peer, bytes.size());
                  });
              return receiveUdp();
            }
            if (status == ForwardStatus::kAnswered) r = answer;
          }
          metrics_.count(Transport::kUdp, r);
          sendUdp(peer_, r.size);
        }
        receiveUdp();
      });
}

void DnsWorker::sendUdp(const asio::ip::udp::endpoint& to, size_t size) {
  if (size == 0) return;
  if (rrl_.enabled()) {
    const ClientAddress client = clientAddress(to.address());
    if (!options_.rrl_exempt.contains(client)) {
      switch (rrl_.check(client, ResponseRateLimiter::Clock::now())) {
        case RrlVerdict::kSend:
          break;
        case RrlVerdict::kDrop:
          forward_metrics_.rrlDropped();
          return;
        case RrlVerdict::kSlip:
          forward_metrics_.rrlSlipped();
          size = truncateToQuestion(udp_out_, size);
          break;
      }
    }
  }
  boost::system::error_code send_ec;
  udp_.send_to(asio::buffer(udp_out_.data(), size), to, 0, send_ec);
  if (send_ec) metrics_.udpSendFailed();
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
        std::make_shared<TcpConnection>(std::move(s), options_, index_, metrics_, tcp_connections_,
                                        forwarder_.get())
            ->start();
      }
    }
    acceptTcp();
  });
}

}  // namespace ferry::dns
