#include "dns_worker.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <boost/asio/post.hpp>
#include <boost/asio/socket_base.hpp>
#include <chrono>
#include <cstring>

#include "tcp_connection.h"

namespace ferry::dns {

namespace asio = boost::asio;
using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

ClientAddress clientAddress(const asio::ip::address& a) {
  return a.is_v4() ? ClientAddress::v4(a.to_v4().to_bytes())
                   : ClientAddress::v6(a.to_v6().to_bytes());
}

ClientAddress clientAddress(const sockaddr* a) {
  if (a->sa_family == AF_INET) {
    std::array<uint8_t, 4> bytes;
    std::memcpy(bytes.data(), &reinterpret_cast<const sockaddr_in*>(a)->sin_addr, bytes.size());
    return ClientAddress::v4(bytes);
  }
  std::array<uint8_t, 16> bytes;
  std::memcpy(bytes.data(), &reinterpret_cast<const sockaddr_in6*>(a)->sin6_addr, bytes.size());
  return ClientAddress::v6(bytes);
}

namespace {

// After a full batch, more datagrams are likely queued: serve up to this many further batches
// before returning to the event loop (where TCP connections wait their turn).
constexpr int kExtraBatches = 8;

asio::ip::udp::endpoint endpointOf(const sockaddr* a, socklen_t length) {
  asio::ip::udp::endpoint e;
  std::memcpy(e.data(), a, std::min<size_t>(length, e.capacity()));
  e.resize(length);
  return e;
}

}  // namespace

DnsWorker::DnsWorker(const DnsServerOptions& options, const ZoneIndex& index, QueryMetrics& metrics,
                     ForwardMetrics& forward_metrics)
    : options_(options),
      index_(index),
      metrics_(metrics),
      forward_metrics_(forward_metrics),
      udp_(io_),
      acceptor_(io_),
      late_out_(kMaxMessageSize),
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
  // The first datagram through Asio (so the worker sleeps in epoll when idle), the rest of the
  // queue with recvmmsg().
  udp_.async_receive_from(
      asio::buffer(batch_.query(0).data(), batch_.query(0).size()), peer_,
      [this](const boost::system::error_code& ec, size_t n) {
        if (ec == asio::error::operation_aborted || !udp_.is_open()) return;
        if (!ec) {
          const int fd = udp_.native_handle();
          batch_.setReceived(0, n, peer_.data(), static_cast<socklen_t>(peer_.size()));
          size_t count = 1 + batch_.receive(fd, 1);
          serveUdp(count);
          for (int extra = 0; extra < kExtraBatches && count == UdpBatch::kSlots; ++extra) {
            count = batch_.receive(fd, 0);
            if (count == 0) break;
            serveUdp(count);
          }
        }
        receiveUdp();
      });
}

void DnsWorker::serveUdp(size_t count) {
  const auto started = std::chrono::steady_clock::now();
  const std::shared_ptr<const Zone> zone = index_.snapshot();  // one load per batch
  for (size_t i = 0; i < count; ++i) {
    const std::span<const uint8_t> query = batch_.query(i).first(batch_.querySize(i));
    const std::span<uint8_t> out = batch_.answer(i);
    const ClientAddress client = clientAddress(batch_.peer(i));
    Response r = respond(*zone, query, Transport::kUdp, out, options_.responder);
    if (r.not_ours && forwarder_) {
      Response answer;
      Query q;
      size_t limit = 0;
      const auto status = forwarder_->lookup(client, query, Transport::kUdp, out, answer, q, limit);
      if (status == ForwardStatus::kMiss) {
        forwarder_->start(q, limit,
                          [this, peer = endpointOf(batch_.peer(i), batch_.peerLength(i))](
                              const Response& late, std::span<const uint8_t> bytes) {
                            metrics_.count(Transport::kUdp, late);
                            sendLate(peer, bytes);
                          });
        continue;
      }
      if (status == ForwardStatus::kAnswered) r = answer;
    }
    metrics_.count(Transport::kUdp, r);
    size_t size = r.size;
    if (size == 0 || !rateLimit(client, out, size)) continue;
    batch_.queueAnswer(i, size);
  }
  for (size_t failed = batch_.send(udp_.native_handle()); failed > 0; --failed) {
    metrics_.udpSendFailed();
  }
  metrics_.udpBatchServed(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), count);
}

bool DnsWorker::rateLimit(const ClientAddress& client, std::span<uint8_t> message, size_t& size) {
  if (!rrl_.enabled() || options_.rrl_exempt.contains(client)) return true;
  switch (rrl_.check(client, ResponseRateLimiter::Clock::now())) {
    case RrlVerdict::kSend:
      return true;
    case RrlVerdict::kDrop:
      forward_metrics_.rrlDropped();
      return false;
    case RrlVerdict::kSlip:
      forward_metrics_.rrlSlipped();
      size = truncateToQuestion(message, size);
      return true;
  }
  return true;
}

void DnsWorker::sendLate(const asio::ip::udp::endpoint& to, std::span<const uint8_t> bytes) {
  if (bytes.empty()) return;
  std::copy(bytes.begin(), bytes.end(), late_out_.begin());
  size_t size = bytes.size();
  if (!rateLimit(clientAddress(to.address()), late_out_, size)) return;
  boost::system::error_code send_ec;
  udp_.send_to(asio::buffer(late_out_.data(), size), to, 0, send_ec);
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
