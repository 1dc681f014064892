// A client connection's byte stream: plain TCP, or TLS over it (--https-listen). One type for
// both, so the session, Beast's parsers and the body relays are written once; the choice is a
// branch per I/O call, not a second copy of the proxy.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <memory>
#include <optional>
#include <utility>

namespace ferry::ingress {

class ClientStream {
 public:
  using executor_type = boost::beast::tcp_stream::executor_type;
  using Tls = boost::beast::ssl_stream<boost::beast::tcp_stream>;

  // Plain TCP.
  explicit ClientStream(boost::asio::ip::tcp::socket socket) : tcp_(std::move(socket)) {}
  // TLS with `context` (its SNI callback may switch the certificate's context).
  ClientStream(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context& context)
      : tls_(std::make_unique<Tls>(std::move(socket), context)) {}

  bool tls() const { return tls_ != nullptr; }
  Tls& tlsStream() { return *tls_; }
  boost::beast::tcp_stream& tcp() { return tls_ ? boost::beast::get_lowest_layer(*tls_) : *tcp_; }
  boost::asio::ip::tcp::socket& socket() { return tcp().socket(); }
  executor_type get_executor() { return tcp().get_executor(); }

  template <class Duration>
  void expires_after(Duration d) {
    tcp().expires_after(d);
  }
  void expires_never() { tcp().expires_never(); }

  template <class MutableBuffers, class Handler>
  void async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    if (tls_) return tls_->async_read_some(buffers, std::forward<Handler>(handler));
    return tcp_->async_read_some(buffers, std::forward<Handler>(handler));
  }
  template <class ConstBuffers, class Handler>
  void async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    if (tls_) return tls_->async_write_some(buffers, std::forward<Handler>(handler));
    return tcp_->async_write_some(buffers, std::forward<Handler>(handler));
  }

 private:
  std::optional<boost::beast::tcp_stream> tcp_;
  std::unique_ptr<Tls> tls_;
};

}  // namespace ferry::ingress
