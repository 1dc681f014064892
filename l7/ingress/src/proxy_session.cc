#include "proxy_session.h"

#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <limits>
#include <string_view>

#include "ferry/ingress/host_path.h"
#include "ferry/runtime/log.h"
#include "forward_headers.h"

namespace ferry::ingress {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

namespace {

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
// Not boost::none: Beast 1.74 compares a Content-Length with an empty optional limit as
// exceeding it (basic_parser.ipp "len_ > body_limit_").
constexpr uint64_t kUnlimited = std::numeric_limits<uint64_t>::max();

std::string_view view(beast::string_view s) {
  return {s.data(), s.size()};
}

// RFC 9110 §9.2.2: safe to send twice.
bool idempotent(http::verb method) {
  switch (method) {
    case http::verb::get:
    case http::verb::head:
    case http::verb::options:
    case http::verb::trace:
    case http::verb::put:
    case http::verb::delete_:
      return true;
    default:
      return false;
  }
}

bool peerClosed(const error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == http::error::partial_message;
}

}  // namespace

ProxySession::ProxySession(ProxyWorker& worker, ClientStream stream)
    : worker_(worker),
      stream_(std::move(stream)),
      chunk_(worker.options().chunk_bytes),
      response_chunk_(worker.options().chunk_bytes),
      header_timer_(worker.io()) {
  error_code ec;
  const auto remote = stream_.socket().remote_endpoint(ec);
  if (!ec) client_ = remote.address();
  const auto local = stream_.socket().local_endpoint(ec);
  if (!ec) local_port_ = local.port();
  stream_.socket().set_option(asio::ip::tcp::no_delay(true), ec);
}

ProxySession::~ProxySession() {
  if (worker_.destroying()) return;
  releaseEndpoint();
  worker_.connectionClosed();
}

void ProxySession::start() {
  if (stream_.tls()) return handshake();
  waitForRequest();
}

// The handshake gets the header timeout too: a client that opens TLS and stalls is a slowloris.
void ProxySession::handshake() {
  stream_.expires_after(worker_.options().header_timeout);
  stream_.tlsStream().async_handshake(boost::asio::ssl::stream_base::server,
                                      [self = shared_from_this()](error_code ec) {
                                        if (ec) {
                                          self->worker_.metrics().tls_handshake_failures.inc();
                                          return;
                                        }
                                        self->worker_.metrics().tls_handshakes.inc();
                                        self->waitForRequest();
                                      });
}

// Between requests: an idle keep-alive connection may wait keepalive_timeout for a first byte;
// from that byte on, the header must be complete within header_timeout.
void ProxySession::waitForRequest() {
  if (buffer_.size() > 0) return readRequestHeader();
  stream_.expires_after(worker_.options().keepalive_timeout);
  stream_.async_read_some(buffer_.prepare(4096),
                          [self = shared_from_this()](error_code ec, size_t n) {
                            if (ec) return;  // idle timeout or the client left: just close
                            self->buffer_.commit(n);
                            self->readRequestHeader();
                          });
}

void ProxySession::readRequestHeader() {
  const ProxyOptions& o = worker_.options();
  request_.emplace();
  request_->header_limit(static_cast<uint32_t>(o.max_header_bytes));
  request_->body_limit(kUnlimited);  // the route's limit is applied once it is known
  state_.reset();
  backend_ = nullptr;
  resolved_ = nullptr;
  endpoint_.reset();
  response_.reset();
  own_response_.reset();
  prepared_ = retried_ = expect_continue_ = false;
  started_ = std::chrono::steady_clock::now();
  header_timed_out_ = false;
  stream_.expires_never();
  header_timer_.expires_after(o.header_timeout);
  header_timer_.async_wait([self = shared_from_this()](error_code ec) {
    if (ec) return;
    self->header_timed_out_ = true;
    error_code ignored;
    self->stream_.socket().cancel(ignored);
  });
  http::async_read_header(stream_, buffer_, *request_,
                          [self = shared_from_this()](error_code ec, size_t) {
                            self->header_timer_.cancel();
                            self->onRequestHeader(ec);
                          });
}

void ProxySession::onRequestHeader(error_code ec) {
  if (ec && header_timed_out_) {
    return reject(Rejection::kHeaderTimeout, 408, "request header timeout\n");  // RFC 9110 §15.5.9
  }
  if (ec == http::error::header_limit) {
    // Which limit: Beast consumes the request line once it is complete, so a parser that has
    // no target yet never saw the end of the request line.
    if (request_->get().target().empty()) {
      return reject(Rejection::kRequestLineTooLong, 414, "request line too long\n");
    }
    return reject(Rejection::kHeadersTooLarge, 431, "request header fields too large\n");
  }
  if (ec == http::error::bad_content_length || ec == http::error::bad_transfer_encoding) {
    return reject(Rejection::kAmbiguousFraming, 400, "ambiguous message framing\n");
  }
  if (ec == http::error::end_of_stream || ec == asio::error::eof || peerClosed(ec)) return;
  if (ec) return reject(Rejection::kBadRequest, 400, "bad request\n");
  if (!checkRequest()) return;
  route();
}

bool ProxySession::checkRequest() {
  const ProxyOptions& o = worker_.options();
  auto& req = request_->get();
  client_version_ = req.version();
  client_keep_alive_ = req.keep_alive();
  head_ = req.method() == http::verb::head;
  has_body_ = !request_->is_done();
  if (req.target().size() > o.max_request_line) {
    reject(Rejection::kRequestLineTooLong, 414, "request line too long\n");
    return false;
  }
  if (static_cast<size_t>(std::distance(req.begin(), req.end())) > o.max_header_count) {
    reject(Rejection::kTooManyHeaders, 431, "too many header fields\n");
    return false;
  }
  // RFC 9112 §6.3: a request whose final transfer coding is not chunked cannot be framed.
  if (req.find(http::field::transfer_encoding) != req.end() && !req.chunked()) {
    reject(Rejection::kAmbiguousFraming, 400, "unsupported transfer coding\n");
    return false;
  }
  // RFC 9112 §3.2: exactly one Host in HTTP/1.1.
  const size_t hosts = req.count(http::field::host);
  if (hosts > 1 || (hosts == 0 && req.version() >= 11)) {
    reject(Rejection::kBadRequest, 400, "missing or repeated Host\n");
    return false;
  }
  return true;
}

void ProxySession::route() {
  state_ = worker_.publisher().load();
  if (!state_) return respond(503, has_body_, "no configuration yet\n");
  const IngressConfig& config = *state_->config;
  auto& req = request_->get();
  const RouteMatch match = config.routes().match(view(req[http::field::host]), view(req.target()));
  if (!match) return respond(404, has_body_, "no route\n");
  backend_ = match.backend;
  resolved_ = &config.backend(*backend_);
  if (!resolved_->routable()) return respond(503, has_body_, "no ready endpoints\n");

  const BackendOptions& options = backend_->options;
  upstream_timeout_ = std::chrono::seconds(options.upstream_timeout_s);
  if (options.max_body_bytes != 0) {
    const auto length = request_->content_length();
    if (length && *length > options.max_body_bytes) {
      return reject(Rejection::kBodyTooLarge, 413, "request body too large\n");
    }
    request_->body_limit(options.max_body_bytes);  // chunked bodies: checked as they arrive
  }
  if (auto expect = req.find(http::field::expect); expect != req.end()) {
    expect_continue_ = beast::iequals(expect->value(), "100-continue");
    req.erase(http::field::expect);  // answered here, not by the upstream
  }
  worker_.picker().reset(config.version());
  connectUpstream(nullptr);
}

void ProxySession::connectUpstream(const Endpoint* exclude) {
  releaseEndpoint();
  const Endpoint* picked = worker_.picker().pick(*resolved_, backend_->id, client_, exclude);
  endpoint_ = *picked;
  worker_.picker().started(*endpoint_);
  upstream_ = worker_.pool().take(*endpoint_);
  if (upstream_) return sendRequest();
  upstream_ = std::make_unique<UpstreamConnection>(worker_.io());
  upstream_->endpoint = *endpoint_;
  upstream_->stream.expires_after(worker_.options().connect_timeout);
  upstream_->stream.async_connect(
      toAsio(*endpoint_), [self = shared_from_this()](error_code ec) { self->onConnected(ec); });
}

void ProxySession::onConnected(error_code ec) {
  if (ec) {
    worker_.metrics().upstream_connect_failures.inc();
    upstream_.reset();
    // Nothing reached the endpoint: another one may take the request, whatever its method.
    if (!retried_) return retryElsewhere();
    return upstreamFailed(ec);
  }
  error_code ignored;
  upstream_->stream.socket().set_option(asio::ip::tcp::no_delay(true), ignored);
  sendRequest();
}

void ProxySession::sendRequest() {
  auto& req = request_->get();
  if (!prepared_) {
    prepared_ = true;
    stripHopByHop(req);
    addForwardedHeaders(req, {client_, local_port_, stream_.tls() ? "https" : "http"},
                        worker_.rng());
    req.version(11);
    req.keep_alive(true);
  }
  upstream_buffer_.clear();
  client_failed_ = body_limit_hit_ = upstream_write_failed_ = stopping_request_ = false;
  // The request streams up while the response is awaited: a backend may answer (and stream
  // its answer, as an echo does) before it has read the whole request, and waiting for the
  // request to finish first would deadlock once both directions' socket buffers are full.
  auto relay = [self = shared_from_this()] {
    self->request_in_flight_ = true;
    self->request_relay_.start(
        {&self->stream_, &self->buffer_, &*self->request_, &self->upstream_->stream,
         std::span<char>(self->chunk_), self->worker_.options().client_body_timeout,
         self->upstream_timeout_},
        self, [self](error_code ec, RelaySide side) { self->onRequestSent(ec, side); });
    self->readResponseHeader();
  };
  if (!expect_continue_ || !has_body_) return relay();
  expect_continue_ = false;
  stream_.expires_after(worker_.options().client_body_timeout);
  asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                    [self = shared_from_this(), relay](error_code ec, size_t) {
                      if (ec) return;
                      relay();
                    });
}

void ProxySession::onRequestSent(error_code ec, RelaySide side) {
  request_in_flight_ = false;
  if (ec && side == RelaySide::kIn && !stopping_request_) {
    // The client stalled, left or sent too much: a half-sent request makes the upstream
    // connection unusable; closing it ends the response side, which answers (413) or closes.
    client_failed_ = true;
    client_keep_alive_ = false;
    body_limit_hit_ = ec == http::error::body_limit;
    if (body_limit_hit_) worker_.metrics().reject(Rejection::kBodyTooLarge);
    closeUpstream();
  } else if (ec) {
    upstream_write_failed_ = true;  // the response side sees the failure or an early answer
  }
  if (deferred_) {
    auto action = std::move(deferred_);
    deferred_ = nullptr;
    action();
  }
}

void ProxySession::closeUpstream() {
  if (!upstream_) return;
  error_code ignored;
  upstream_->stream.socket().close(ignored);
}

// Runs `action` once the request relay has stopped, stopping it if it still runs (its pending
// read from the client or write to the upstream is cancelled).
void ProxySession::whenRequestIdle(std::function<void()> action) {
  if (!request_in_flight_) return action();
  deferred_ = std::move(action);
  stopping_request_ = true;
  client_keep_alive_ = false;  // the rest of the request body stays unread
  closeUpstream();
  error_code ignored;
  stream_.socket().cancel(ignored);
}

void ProxySession::readResponseHeader() {
  response_.emplace();
  response_->body_limit(kUnlimited);
  response_->header_limit(65536);
  if (head_) response_->skip(true);
  upstream_->stream.expires_after(upstream_timeout_);
  http::async_read_header(
      upstream_->stream, upstream_buffer_, *response_,
      [self = shared_from_this()](error_code ec, size_t) { self->onResponseHeader(ec); });
}

bool ProxySession::retryable() const {
  // A reused connection the endpoint closed before answering: resend once, elsewhere, if the
  // request is idempotent and nothing of its body was consumed.
  return !retried_ && upstream_ && upstream_->reused && upstream_buffer_.size() == 0 &&
         !has_body_ && idempotent(request_->get().method());
}

void ProxySession::retryElsewhere() {
  retried_ = true;
  worker_.metrics().upstream_retries.inc();
  upstream_.reset();
  const Endpoint failed = *endpoint_;
  connectUpstream(&failed);
}

void ProxySession::upstreamFailed(error_code ec) {
  FERRY_LOG(kDebug, "upstream failed",
            {{"endpoint", endpoint_ ? toAsio(*endpoint_).address().to_string() + ":" +
                                          std::to_string(endpoint_->port)
                                    : std::string()},
             {"error", ec.message()}});
  upstream_.reset();  // the request relay is idle (whenRequestIdle)
  if (ec == beast::error::timeout) {
    worker_.metrics().upstream_timeouts.inc();
    return respond(504, has_body_ && !request_->is_done(), "upstream timed out\n");
  }
  worker_.metrics().upstream_errors.inc();
  respond(502, has_body_ && !request_->is_done(), "upstream failed\n");
}

void ProxySession::onResponseHeader(error_code ec) {
  if (client_failed_ && !request_in_flight_) {
    if (body_limit_hit_) return respond(413, true, "request body too large\n");
    return;  // the client is gone or stalled: nothing to answer
  }
  if (ec) {
    if (peerClosed(ec) && retryable()) {
      return whenRequestIdle([self = shared_from_this()] { self->retryElsewhere(); });
    }
    return whenRequestIdle([self = shared_from_this(), ec] {
      if (self->client_failed_ && self->body_limit_hit_) {
        return self->respond(413, true, "request body too large\n");
      }
      if (self->client_failed_) return;
      self->upstreamFailed(ec);
    });
  }
  const unsigned status = response_->get().result_int();
  if (status / 100 == 1 && status != 101) return readResponseHeader();  // interim: dropped
  sendResponse();
}

void ProxySession::sendResponse() {
  auto& res = response_->get();
  const unsigned status = res.result_int();
  stripHopByHop(res);
  addVia(res);
  const bool no_body = head_ || status == 204 || status == 304;
  const bool until_close = !no_body && !res.has_content_length() && !res.chunked();
  res.version(client_version_);
  if (until_close && client_version_ >= 11) res.chunked(true);  // re-framed for the client
  if (client_version_ < 11 && (until_close || res.chunked())) {
    // HTTP/1.0 has no chunked coding: the body ends where the connection does.
    res.chunked(false);
    client_keep_alive_ = false;
  }
  res.keep_alive(client_keep_alive_);
  count(status);

  auto done = [self = shared_from_this()](error_code ec, RelaySide side) {
    self->onResponseSent(ec, side);
  };
  if (no_body) {
    // The header is all there is (Beast's serializer would add a final chunk otherwise).
    header_only_.emplace(res);
    stream_.expires_after(worker_.options().client_body_timeout);
    http::async_write_header(stream_, *header_only_, [done](error_code ec, size_t) {
      done(ec, ec ? RelaySide::kOut : RelaySide::kNone);
    });
    return;
  }
  response_relay_.start(
      {&upstream_->stream, &upstream_buffer_, &*response_, &stream_,
       std::span<char>(response_chunk_), upstream_timeout_, worker_.options().client_body_timeout},
      shared_from_this(), std::move(done));
}

void ProxySession::onResponseSent(error_code ec, RelaySide side) {
  if (ec) {
    if (side == RelaySide::kIn) worker_.metrics().upstream_errors.inc();
    // The response was cut short: closing tells the client.
    return whenRequestIdle([self = shared_from_this()] { self->upstream_.reset(); });
  }
  if (request_in_flight_) {
    // The backend answered without reading the whole request: that connection cannot carry
    // another exchange, and the client's unread body ends this one.
    return whenRequestIdle([self = shared_from_this()] {
      self->upstream_.reset();
      self->endExchange(false);
    });
  }
  const bool reusable = response_->is_done() && response_->keep_alive() && request_->is_done() &&
                        !upstream_write_failed_ && !client_failed_ && upstream_buffer_.size() == 0;
  if (reusable) {
    worker_.pool().put(std::move(upstream_));
  } else {
    upstream_.reset();
  }
  if (client_failed_) return;
  endExchange(client_keep_alive_);
}

void ProxySession::releaseEndpoint() {
  if (endpoint_) worker_.picker().finished(*endpoint_);
  endpoint_.reset();
}

void ProxySession::endExchange(bool keep_alive) {
  releaseEndpoint();
  worker_.metrics().request_seconds.observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count());
  if (keep_alive) return waitForRequest();
  lingeringClose();
}

void ProxySession::count(unsigned status) {
  if (state_ && backend_) {
    state_->backend_counters[backend_->id].count(status);
  } else {
    worker_.metrics().noBackend().count(status);
  }
}

void ProxySession::reject(Rejection reason, unsigned status, std::string_view text) {
  worker_.metrics().reject(reason);
  respond(status, true, text);
}

void ProxySession::respond(unsigned status, bool close, std::string_view text) {
  count(status);
  own_response_.emplace(static_cast<http::status>(status), client_version_ ? client_version_ : 11);
  auto& res = *own_response_;
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.set(http::field::server, "ferry-ingress");
  res.body().assign(text.data(), text.size());
  if (head_) res.body().clear();
  const bool keep = !close && client_keep_alive_;
  res.keep_alive(keep);
  res.prepare_payload();
  if (head_) res.content_length(text.size());
  stream_.expires_after(worker_.options().client_body_timeout);
  http::async_write(stream_, res, [self = shared_from_this(), keep](error_code ec, size_t) {
    if (ec) return;
    self->endExchange(keep);
  });
}

// Closing with unread request bytes would make the kernel send a reset that can destroy the
// response before the client reads it (RFC 9112 §9.6): stop sending, drain a bounded amount
// for a bounded time, then close.
void ProxySession::lingeringClose() {
  error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  buffer_.clear();
  stream_.expires_after(std::chrono::seconds(2));
  struct Drain {
    std::shared_ptr<ProxySession> self;
    size_t left = size_t{4} << 20;
    void operator()(error_code ec = {}, size_t n = 0) {
      if (ec || n >= left) return;
      left -= n;
      auto* session = self.get();
      session->stream_.async_read_some(asio::buffer(session->chunk_), std::move(*this));
    }
  };
  Drain{shared_from_this()}();
}

}  // namespace ferry::ingress
