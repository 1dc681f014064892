#include "tcp_connection.h"

#include <algorithm>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "dns_worker.h"

namespace ferry::dns {

namespace asio = boost::asio;

TcpConnection::TcpConnection(asio::ip::tcp::socket socket, const DnsServerOptions& options,
                             const ZoneIndex& index, QueryMetrics& metrics,
                             std::shared_ptr<size_t> open_count, UpstreamForwarder* forwarder)
    : socket_(std::move(socket)),
      idle_(socket_.get_executor()),
      options_(options),
      index_(index),
      metrics_(metrics),
      open_count_(std::move(open_count)),
      forwarder_(forwarder),
      in_(kMaxMessageSize),
      out_(2 + kMaxMessageSize) {
  ++*open_count_;
}

TcpConnection::~TcpConnection() {
  --*open_count_;
}

void TcpConnection::start() {
  armIdleTimer();
  readLength();
}

void TcpConnection::armIdleTimer() {
  idle_.expires_after(options_.tcp_idle_timeout);
  idle_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    if (ec) return;  // re-armed or cancelled
    if (auto self = weak.lock()) self->close();
  });
}

void TcpConnection::close() {
  boost::system::error_code ignored;
  idle_.cancel();
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

void TcpConnection::readLength() {
  asio::async_read(socket_, asio::buffer(length_),
                   [self = shared_from_this()](const boost::system::error_code& ec, size_t) {
                     if (ec) return self->close();
                     const size_t length = (size_t{self->length_[0]} << 8) | self->length_[1];
                     // A zero-length message cannot be a query; nothing to resynchronise on.
                     if (length == 0) return self->close();
                     self->readMessage(length);
                   });
}

void TcpConnection::readMessage(size_t length) {
  asio::async_read(
      socket_, asio::buffer(in_.data(), length),
      [self = shared_from_this(), length](const boost::system::error_code& ec, size_t) {
        if (ec) return self->close();
        self->armIdleTimer();
        self->answer(length);
      });
}

void TcpConnection::answer(size_t length) {
  const std::span<const uint8_t> query(in_.data(), length);
  const std::span<uint8_t> out(out_.data() + 2, kMaxMessageSize);
  Response r = respond(*index_.snapshot(), query, Transport::kTcp, out, options_.responder);
  if (r.not_ours && forwarder_) {
    boost::system::error_code ec;
    const auto peer = socket_.remote_endpoint(ec);
    if (ec) return close();
    Response answer;
    Query q;
    size_t limit = 0;
    const auto status = forwarder_->lookup(clientAddress(peer.address()), query, Transport::kTcp,
                                           out, answer, q, limit);
    if (status == ForwardStatus::kMiss) {
      // Answers stay in query order: the next query is read once this one is answered.
      forwarder_->start(
          q, limit,
          [self = shared_from_this()](const Response& late, std::span<const uint8_t> bytes) {
            self->metrics_.count(Transport::kTcp, late);
            std::copy(bytes.begin(), bytes.end(), self->out_.begin() + 2);
            self->send(late.size);
          });
      return;
    }
    if (status == ForwardStatus::kAnswered) r = answer;
  }
  metrics_.count(Transport::kTcp, r);
  send(r.size);
}

void TcpConnection::send(size_t size) {
  if (size == 0) return readLength();
  out_[0] = static_cast<uint8_t>(size >> 8);
  out_[1] = static_cast<uint8_t>(size);
  // Answers go out in query order; the next pipelined query waits in the socket buffer.
  asio::async_write(socket_, asio::buffer(out_.data(), 2 + size),
                    [self = shared_from_this()](const boost::system::error_code& ec, size_t) {
                      if (ec) return self->close();
                      self->readLength();
                    });
}

}  // namespace ferry::dns
