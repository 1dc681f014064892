// HTTPS server for the API: Boost.Beast over OpenSSL, one coroutine per connection on a
// multi-threaded io_context. Handlers are coroutines too, so a watch can stream for hours on
// the same connection while other requests proceed.
//
// Bad input never reaches a handler: a malformed request gets 400, an oversized body 413,
// oversized headers 431, each counted, and the connection is closed.
#pragma once

#include <utility>  // boost/asio/awaitable.hpp (1.74) uses std::exchange without including it

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http.hpp>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace ferry::controlplane {

namespace http = boost::beast::http;

struct HttpRequest {
  http::verb method = http::verb::get;
  std::string method_string;
  std::string path;                           // percent-decoded path, no query
  std::multimap<std::string, std::string> query;  // decoded query parameters
  http::fields headers;
  std::string body;
  std::string remote;  // "ip:port"

  // First value of a query parameter, or "".
  std::string param(const std::string& name) const;
  bool hasParam(const std::string& name) const { return query.count(name) > 0; }
  std::string header(http::field f) const;
};

// How a handler answers: one whole response, or a chunked stream (watch).
class ResponseWriter {
 public:
  virtual ~ResponseWriter() = default;
  virtual boost::asio::awaitable<void> send(int status, std::string content_type, std::string body,
                                            const http::fields& extra = {}) = 0;
  // Starts a chunked 200 response; false when the peer is gone.
  virtual boost::asio::awaitable<bool> startStream(std::string content_type) = 0;
  virtual boost::asio::awaitable<bool> writeChunk(std::string data) = 0;
  virtual boost::asio::awaitable<void> endStream() = 0;
  virtual bool sent() const = 0;
};

using HttpHandler = std::function<boost::asio::awaitable<void>(HttpRequest&, ResponseWriter&)>;

struct HttpServerOptions {
  size_t max_body_bytes = 3 * 1024 * 1024;   // kube-apiserver's default request size limit
  size_t max_header_bytes = 1024 * 1024;     // with 431 past it
  std::chrono::seconds idle_timeout{120};    // keep-alive connections with no request
  std::chrono::seconds handshake_timeout{10};
};

struct HttpServerStats {
  std::atomic<uint64_t> connections{0};
  std::atomic<uint64_t> bad_requests{0};
  std::atomic<uint64_t> oversized_bodies{0};
  std::atomic<uint64_t> oversized_headers{0};
  std::atomic<uint64_t> tls_failures{0};
};

class HttpsServer {
 public:
  HttpsServer(boost::asio::io_context& io, boost::asio::ssl::context& tls, HttpHandler handler,
              HttpServerOptions options = {});
  // Binds and starts accepting. Throws boost::system::system_error when the port is taken.
  void listen(const boost::asio::ip::tcp::endpoint& endpoint);
  uint16_t port() const;
  void stop();
  const HttpServerStats& stats() const { return stats_; }

 private:
  boost::asio::awaitable<void> acceptLoop();
  boost::asio::awaitable<void> session(boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& io_;
  boost::asio::ssl::context& tls_;
  HttpHandler handler_;
  HttpServerOptions options_;
  boost::asio::ip::tcp::acceptor acceptor_;
  HttpServerStats stats_;
};

std::string percentDecode(std::string_view in, bool plus_is_space);

}  // namespace ferry::controlplane
