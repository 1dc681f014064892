// Reads a Kubernetes watch stream (newline-delimited JSON events over chunked HTTPS) one event
// at a time, each read bounded by a deadline, so a test can assert what the next event is
// without sleeping.
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace ferry::testing {

class WatchStream {
 public:
  // `target`: the path and query of a watch request (watch=1 is added).
  WatchStream(uint16_t port, const std::string& token, const std::string& ca_file,
              const std::string& target)
      : tls_(clientContext(ca_file)), stream_(io_, tls_) {
    namespace http = boost::beast::http;
    stream_.set_verify_mode(boost::asio::ssl::verify_peer);
    boost::asio::ip::tcp::resolver resolver(io_);
    boost::asio::connect(boost::beast::get_lowest_layer(stream_),
                         resolver.resolve("127.0.0.1", std::to_string(port)));
    stream_.handshake(boost::asio::ssl::stream_base::client);
    http::request<http::empty_body> req{
        http::verb::get, target + (target.find('?') == std::string::npos ? "?" : "&") + "watch=1",
        11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::authorization, "Bearer " + token);
    req.set(http::field::accept, "application/json");
    http::write(stream_, req);
    parser_.body_limit(boost::none);
    http::read_header(stream_, buf_, parser_);
    status_ = static_cast<int>(parser_.get().result_int());
  }

  int status() const { return status_; }

  // The next event ({"type": ..., "object": ...}), or nullopt when none arrives before
  // `timeout` or the stream ends.
  std::optional<nlohmann::json> next(std::chrono::milliseconds timeout) {
    namespace http = boost::beast::http;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (auto nl = pending_.find('\n'); nl != std::string::npos) {
        std::string line = pending_.substr(0, nl);
        pending_.erase(0, nl + 1);
        if (line.empty()) continue;
        return nlohmann::json::parse(line, nullptr, false);
      }
      if (ended_ || parser_.is_done()) return std::nullopt;
      char chunk[8192];
      parser_.get().body().data = chunk;
      parser_.get().body().size = sizeof chunk;
      bool finished = false;
      boost::system::error_code ec;
      http::async_read_some(stream_, buf_, parser_, [&](boost::system::error_code e, size_t) {
        ec = e;
        finished = true;
      });
      io_.restart();
      io_.run_until(deadline);
      if (!finished) {
        // The deadline passed: abandon the stream (the test fails on the nullopt anyway).
        boost::beast::get_lowest_layer(stream_).cancel();
        io_.restart();
        io_.run();
        ended_ = true;
        return std::nullopt;
      }
      if (ec == http::error::need_buffer) ec = {};
      pending_.append(chunk, sizeof chunk - parser_.get().body().size);
      if (ec) ended_ = true;
    }
  }

 private:
  static boost::asio::ssl::context clientContext(const std::string& ca_file) {
    boost::asio::ssl::context tls(boost::asio::ssl::context::tls_client);
    tls.load_verify_file(ca_file);
    return tls;
  }

  boost::asio::io_context io_;
  boost::asio::ssl::context tls_;
  boost::beast::ssl_stream<boost::asio::ip::tcp::socket> stream_;
  boost::beast::flat_buffer buf_;
  boost::beast::http::response_parser<boost::beast::http::buffer_body> parser_;
  std::string pending_;
  int status_ = 0;
  bool ended_ = false;
};

}  // namespace ferry::testing
