// A minimal synchronous HTTPS/1.1 client for tests that need many requests (kubectl costs a
// process per call): one keep-alive connection, bearer token, the server's CA verified.
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <memory>
#include <string>

namespace ferry::testing {

struct HttpResult {
  int status = 0;  // 0: transport error
  std::string body;
};

class HttpsClient {
 public:
  HttpsClient(std::string host, uint16_t port, std::string token, const std::string& ca_file)
      : host_(std::move(host)), port_(port), token_(std::move(token)), tls_(boost::asio::ssl::context::tls_client) {
    tls_.load_verify_file(ca_file);
    tls_.set_verify_mode(boost::asio::ssl::verify_peer);
  }

  HttpResult request(boost::beast::http::verb method, const std::string& target, const std::string& body = {},
                     const std::string& content_type = "application/json") {
    namespace http = boost::beast::http;
    for (int attempt = 0; attempt < 2; ++attempt) {
      try {
        if (!stream_) connect();
        http::request<http::string_body> req{method, target, 11};
        req.set(http::field::host, host_);
        req.set(http::field::authorization, "Bearer " + token_);
        req.set(http::field::accept, "application/json");
        if (!body.empty()) {
          req.set(http::field::content_type, content_type);
          req.body() = body;
        }
        req.prepare_payload();
        http::write(*stream_, req);
        boost::beast::flat_buffer buf;
        http::response<http::string_body> res;
        http::read(*stream_, buf, res);
        if (!res.keep_alive()) stream_.reset();
        return {static_cast<int>(res.result_int()), res.body()};
      } catch (const std::exception&) {
        stream_.reset();  // the server went away (restart): reconnect once, else report
        if (attempt == 1) return {};
      }
    }
    return {};
  }

  // Writes `raw` bytes as they are (a request that may be malformed or incomplete) on a fresh
  // connection and reads one response.
  HttpResult rawExchange(const std::string& raw) {
    namespace http = boost::beast::http;
    try {
      stream_.reset();
      connect();
      boost::asio::write(*stream_, boost::asio::buffer(raw));
      boost::beast::flat_buffer buf;
      http::response<http::string_body> res;
      http::read(*stream_, buf, res);
      stream_.reset();
      return {static_cast<int>(res.result_int()), res.body()};
    } catch (const std::exception&) {
      stream_.reset();
      return {};
    }
  }

 private:
  void connect() {
    stream_ = std::make_unique<Stream>(io_, tls_);
    boost::asio::ip::tcp::resolver resolver(io_);
    boost::beast::get_lowest_layer(*stream_).connect(resolver.resolve(host_, std::to_string(port_)));
    stream_->handshake(boost::asio::ssl::stream_base::client);
  }

  using Stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;
  std::string host_;
  uint16_t port_;
  std::string token_;
  boost::asio::io_context io_;
  boost::asio::ssl::context tls_;
  std::unique_ptr<Stream> stream_;
};

}  // namespace ferry::testing
