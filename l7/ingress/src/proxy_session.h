// One client connection: reads requests one at a time (keep-alive, pipelining-safe: Beast's
// parser stops at the end of each message), checks the limits, routes by Host and path against
// the current ServingState, forwards to an endpoint over a pooled upstream connection and
// streams the response back. Runs entirely on its worker's thread.
//
// The request body streams to the upstream while the response is awaited (and may already
// stream back). Consequences: a body limit (ferry.io/proxy-body-size) is answered 413 when
// Content-Length announces too much, or when a chunked body exceeds it before the upstream
// answered; a chunked body exceeding it after the upstream's response began cuts the exchange
// (both connections closed). Either way it is counted as body_too_large.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "body_relay.h"
#include "client_stream.h"
#include "proxy_worker.h"

namespace ferry::ingress {

class ProxySession : public std::enable_shared_from_this<ProxySession> {
 public:
  ProxySession(ProxyWorker& worker, ClientStream stream);
  ~ProxySession();
  ProxySession(const ProxySession&) = delete;
  ProxySession& operator=(const ProxySession&) = delete;

  void start();

 private:
  using Upstream = boost::beast::tcp_stream;
  using RequestParser = boost::beast::http::request_parser<boost::beast::http::buffer_body>;
  using ResponseParser = boost::beast::http::response_parser<boost::beast::http::buffer_body>;

  // Downstream.
  void handshake();
  void waitForRequest();
  void readRequestHeader();
  void onRequestHeader(boost::system::error_code ec);
  bool checkRequest();  // false: answered with an error
  void route();
  // Upstream.
  void connectUpstream(const Endpoint* exclude);
  void onConnected(boost::system::error_code ec);
  void sendRequest();
  void onRequestSent(boost::system::error_code ec, RelaySide side);
  void readResponseHeader();
  void onResponseHeader(boost::system::error_code ec);
  void sendResponse();
  void onResponseSent(boost::system::error_code ec, RelaySide side);
  bool retryable() const;
  void closeUpstream();
  void whenRequestIdle(std::function<void()> action);
  void retryElsewhere();
  void upstreamFailed(boost::system::error_code ec);
  void releaseEndpoint();
  // Ends one exchange: the next request on keep-alive, else close.
  void endExchange(bool keep_alive);
  // A response of our own (errors, 404, 503).
  void respond(unsigned status, bool close, std::string_view text);
  void reject(Rejection reason, unsigned status, std::string_view text);
  void count(unsigned status);
  void lingeringClose();

  ProxyWorker& worker_;
  ClientStream stream_;
  boost::asio::ip::address client_;
  uint16_t local_port_ = 0;
  boost::beast::flat_buffer buffer_;
  std::vector<char> chunk_;           // request body relay
  std::vector<char> response_chunk_;  // response body relay (both run at once)
  // The header deadline is a timer of its own: the stream's timeout would close the socket,
  // and a slow client is owed its 408.
  boost::asio::steady_timer header_timer_;
  bool header_timed_out_ = false;

  // The current exchange.
  std::optional<RequestParser> request_;
  std::shared_ptr<const ServingState> state_;
  const Backend* backend_ = nullptr;
  const ResolvedBackend* resolved_ = nullptr;
  std::optional<Endpoint> endpoint_;
  std::unique_ptr<UpstreamConnection> upstream_;
  boost::beast::flat_buffer upstream_buffer_;
  std::optional<ResponseParser> response_;
  std::optional<boost::beast::http::response<boost::beast::http::string_body>> own_response_;
  BodyRelay<true, ClientStream, Upstream> request_relay_;
  BodyRelay<false, Upstream, ClientStream> response_relay_;
  std::optional<boost::beast::http::response_serializer<boost::beast::http::buffer_body>>
      header_only_;
  std::chrono::steady_clock::time_point started_;
  bool client_keep_alive_ = false;
  bool has_body_ = false;
  bool expect_continue_ = false;
  bool prepared_ = false;
  bool retried_ = false;
  bool head_ = false;
  bool request_in_flight_ = false;  // the request relay has a pending operation
  bool client_failed_ = false;      // reading the request body failed
  bool body_limit_hit_ = false;
  bool upstream_write_failed_ = false;
  bool stopping_request_ = false;   // whenRequestIdle cancelled the request relay
  std::function<void()> deferred_;  // run when the request relay stops
  std::chrono::seconds upstream_timeout_{60};
  unsigned client_version_ = 11;
};

}  // namespace ferry::ingress
