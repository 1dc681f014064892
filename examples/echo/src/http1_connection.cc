// HTTP/1.1 and WebSocket serving for ferry-echo, one coroutine per connection on its strand.
// clang-format off
#include <utility>  // first: Boost 1.74's asio uses std::exchange without including it
// clang-format on

#include <array>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <limits>

#include "connections.h"
#include "ferry/runtime/log.h"

namespace ferry::echo {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using asio::awaitable;
using asio::use_awaitable;
using Parser = http::request_parser<http::buffer_body>;

namespace {

constexpr auto kIdleTimeout = std::chrono::seconds(120);  // between requests
constexpr auto kIoTimeout = std::chrono::seconds(60);     // per read or write of a request
constexpr size_t kChunkSize = 64 * 1024;
constexpr uint32_t kHeaderLimit = 64 * 1024;

class Http1Connection {
 public:
  Http1Connection(EchoContext& context, std::shared_ptr<ConnectionHook> hook,
                  asio::ip::tcp::socket socket, beast::flat_buffer buffer, std::string client)
      : context_(context),
        hook_ptr_(std::move(hook)),
        hook_(*hook_ptr_),
        stream_(std::move(socket)),
        buffer_(std::move(buffer)),
        client_(std::move(client)) {}

  awaitable<void> run();

 private:
  // Reads (part of) the body into chunk_; `n` is how much arrived. Done when parser.is_done().
  awaitable<bool> readBodyPart(Parser& parser, size_t& n);
  awaitable<bool> discardBody(Parser& parser);
  awaitable<bool> sendContinueIfExpected(const Parser& parser);
  awaitable<bool> echoBody(Parser& parser, bool keep_alive);
  awaitable<bool> answer(Parser& parser, const Route& route, bool keep_alive);
  awaitable<void> serveWebSocket(Parser& parser);
  awaitable<void> upgradeToH2c(Parser& parser, std::string settings);
  std::string report(const Parser& parser) const;

  EchoContext& context_;
  std::shared_ptr<ConnectionHook> hook_ptr_;
  ConnectionHook& hook_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::string client_;
  bool idle_ = true;  // waiting for a request's first bytes: a drain closes at once
  std::array<char, kChunkSize> chunk_{};
};

std::string Http1Connection::report(const Parser& parser) const {
  const auto& req = parser.get();
  RequestView view;
  view.proto = req.version() == 10 ? "HTTP/1.0" : "HTTP/1.1";
  view.method = req.method_string();
  view.target = req.target();
  view.host = req[http::field::host];
  view.client = client_;
  for (const auto& field : req) {
    view.headers.emplace_back(toLower(field.name_string()), std::string(field.value()));
  }
  return describeRequest(context_.who(), view);
}

awaitable<bool> Http1Connection::readBodyPart(Parser& parser, size_t& n) {
  auto& body = parser.get().body();
  body.data = chunk_.data();
  body.size = chunk_.size();
  boost::system::error_code ec;
  stream_.expires_after(kIoTimeout);
  co_await http::async_read(stream_, buffer_, parser, asio::redirect_error(use_awaitable, ec));
  if (ec == http::error::need_buffer) ec = {};
  n = chunk_.size() - body.size;
  co_return !ec;
}

awaitable<bool> Http1Connection::discardBody(Parser& parser) {
  while (!parser.is_done()) {
    size_t n = 0;
    if (!co_await readBodyPart(parser, n)) co_return false;
  }
  co_return true;
}

awaitable<bool> Http1Connection::sendContinueIfExpected(const Parser& parser) {
  const auto& req = parser.get();
  if (req.version() < 11 || parser.is_done() ||
      !beast::iequals(req[http::field::expect], "100-continue")) {
    co_return true;
  }
  http::response<http::empty_body> interim(http::status::continue_, 11);
  boost::system::error_code ec;
  stream_.expires_after(kIoTimeout);
  co_await http::async_write(stream_, interim, asio::redirect_error(use_awaitable, ec));
  co_return !ec;
}

// The body goes back as it arrives, one chunk at a time, whatever its size: with the request's
// Content-Length when it had one, chunked otherwise.
awaitable<bool> Http1Connection::echoBody(Parser& parser, bool keep_alive) {
  const auto& req = parser.get();
  http::response<http::buffer_body> res(http::status::ok, req.version());
  res.set(http::field::server, "ferry-echo");
  res.set("X-Pod-Name", context_.who().pod);
  const auto content_type = req[http::field::content_type];
  res.set(http::field::content_type,
          content_type.empty() ? beast::string_view("application/octet-stream") : content_type);
  if (const auto length = parser.content_length()) {
    res.content_length(*length);
  } else if (req.version() >= 11) {
    res.chunked(true);
  } else {
    keep_alive = false;  // HTTP/1.0 without a length: the body ends at close
  }
  res.keep_alive(keep_alive);
  res.body().data = nullptr;
  res.body().more = true;
  http::response_serializer<http::buffer_body> serializer(res);
  boost::system::error_code ec;
  stream_.expires_after(kIoTimeout);
  co_await http::async_write_header(stream_, serializer, asio::redirect_error(use_awaitable, ec));
  if (ec) co_return false;
  while (!parser.is_done()) {
    size_t n = 0;
    if (!co_await readBodyPart(parser, n)) co_return false;
    if (n == 0) continue;
    res.body().data = chunk_.data();
    res.body().size = n;
    res.body().more = true;
    stream_.expires_after(kIoTimeout);
    co_await http::async_write(stream_, serializer, asio::redirect_error(use_awaitable, ec));
    if (ec == http::error::need_buffer) ec = {};
    if (ec) co_return false;
  }
  res.body().data = nullptr;
  res.body().size = 0;
  res.body().more = false;
  stream_.expires_after(kIoTimeout);
  co_await http::async_write(stream_, serializer, asio::redirect_error(use_awaitable, ec));
  co_return !ec && keep_alive;
}

awaitable<bool> Http1Connection::answer(Parser& parser, const Route& route, bool keep_alive) {
  if (!co_await discardBody(parser)) co_return false;
  const auto& req = parser.get();
  int status = 200;
  std::string body;
  std::string content_type = "text/plain; charset=utf-8";
  switch (route.kind) {
    case RouteKind::kHealthz:
      body = "ok\n";
      break;
    case RouteKind::kReadyz: {
      const bool ready = context_.ready();
      status = ready ? 200 : 503;
      body = ready ? "ok\n" : "not ready\n";
      break;
    }
    case RouteKind::kMetrics:
      content_type = "text/plain; version=0.0.4; charset=utf-8";
      body = context_.renderMetrics();
      break;
    case RouteKind::kBadRequest:
      status = 400;
      body = "want /status/<200-599> or /delay/<milliseconds>\n";
      break;
    case RouteKind::kWebSocket:
      status = 426;
      body = "/ws wants a WebSocket upgrade\n";
      break;
    case RouteKind::kDelay: {
      asio::steady_timer timer(stream_.get_executor(), route.delay);
      boost::system::error_code ec;
      co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
      body = report(parser);
      break;
    }
    case RouteKind::kStatus:
      status = route.status;
      body = report(parser);
      break;
    case RouteKind::kEcho:
      body = report(parser);
      break;
  }
  http::response<http::string_body> res(static_cast<http::status>(status), req.version());
  res.set(http::field::server, "ferry-echo");
  res.set("X-Pod-Name", context_.who().pod);
  // A drain that began during /delay still gets "Connection: close" on this answer.
  keep_alive = keep_alive && !hook_.draining();
  res.keep_alive(keep_alive);
  if (!statusAllowsBody(status)) {
    // No body and no Content-Length (RFC 9110 §8.6).
  } else if (req.method() == http::verb::head) {
    res.set(http::field::content_type, content_type);
    res.content_length(body.size());
  } else {
    res.set(http::field::content_type, content_type);
    res.body() = std::move(body);
    res.prepare_payload();
  }
  boost::system::error_code ec;
  stream_.expires_after(kIoTimeout);
  co_await http::async_write(stream_, res, asio::redirect_error(use_awaitable, ec));
  co_return !ec && keep_alive;
}

awaitable<void> Http1Connection::serveWebSocket(Parser& parser) {
  websocket::stream<beast::tcp_stream> ws(std::move(stream_));
  beast::get_lowest_layer(ws).expires_never();
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  const std::string pod = context_.who().pod;
  ws.set_option(websocket::stream_base::decorator([pod](websocket::response_type& res) {
    res.set(http::field::server, "ferry-echo");
    res.set("X-Pod-Name", pod);
  }));
  boost::system::error_code ec;
  co_await ws.async_accept(parser.get(), asio::redirect_error(use_awaitable, ec));
  if (ec) co_return;
  context_.metrics().websocket_upgrades.inc();
  // A drain sends a close frame (1001 going away) unless a write is in flight, in which case
  // the loop closes after it.
  bool writing = false;
  bool closing = false;
  hook_.on_drain = [&] {
    if (writing || closing) return;
    closing = true;
    ws.async_close(websocket::close_code::going_away, [](boost::system::error_code) {});
  };
  if (hook_.draining()) hook_.on_drain();
  beast::flat_buffer message;
  for (;;) {
    co_await ws.async_read(message, asio::redirect_error(use_awaitable, ec));
    if (ec) break;
    ws.text(ws.got_text());
    writing = true;
    co_await ws.async_write(message.data(), asio::redirect_error(use_awaitable, ec));
    writing = false;
    if (ec) break;
    context_.metrics().websocket_messages.inc();
    message.consume(message.size());
    if (hook_.draining() && !closing) {
      closing = true;
      co_await ws.async_close(websocket::close_code::going_away,
                              asio::redirect_error(use_awaitable, ec));
      break;
    }
  }
  hook_.on_drain = nullptr;
}

// The request becomes stream 1 of an HTTP/2 session on this connection (RFC 7540 §3.2).
awaitable<void> Http1Connection::upgradeToH2c(Parser& parser, std::string settings) {
  const auto& req = parser.get();
  H2Upgrade upgrade;
  upgrade.method = req.method_string();
  upgrade.target = req.target();
  upgrade.host = req[http::field::host];
  for (const auto& field : req) {
    const std::string name = toLower(field.name_string());
    // Hop-by-hop fields of the HTTP/1.1 hop that carried the upgrade.
    if (name == "connection" || name == "upgrade" || name == "http2-settings" || name == "host")
      continue;
    upgrade.headers.emplace_back(name, std::string(field.value()));
  }
  upgrade.settings = std::move(settings);
  http::response<http::empty_body> res(http::status::switching_protocols, 11);
  res.set(http::field::connection, "Upgrade");
  res.set(http::field::upgrade, "h2c");
  boost::system::error_code ec;
  stream_.expires_after(kIoTimeout);
  co_await http::async_write(stream_, res, asio::redirect_error(use_awaitable, ec));
  if (ec) co_return;
  stream_.expires_never();
  hook_.on_drain = nullptr;
  co_await serveH2c(context_, hook_ptr_, stream_.release_socket(), std::move(buffer_), client_,
                    std::move(upgrade));
}

awaitable<void> Http1Connection::run() {
  hook_.on_drain = [this] {
    if (idle_) stream_.cancel();
  };
  boost::system::error_code ec;
  for (;;) {
    Parser parser;
    parser.header_limit(kHeaderLimit);
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    idle_ = true;
    if (hook_.draining() && buffer_.size() == 0) break;
    stream_.expires_after(kIdleTimeout);
    co_await http::async_read_header(stream_, buffer_, parser,
                                     asio::redirect_error(use_awaitable, ec));
    idle_ = false;
    if (ec) {
      if (ec != http::error::end_of_stream && ec != asio::error::operation_aborted &&
          ec != asio::error::connection_reset && ec != beast::error::timeout) {
        context_.metrics().protocol_errors.inc();
        FERRY_LOG(kDebug, "http/1.1 read failed", {{"client", client_}, {"error", ec.message()}});
        http::response<http::string_body> bad(http::status::bad_request, 11);
        bad.set(http::field::server, "ferry-echo");
        bad.set(http::field::content_type, "text/plain; charset=utf-8");
        bad.keep_alive(false);
        bad.body() = ec.message() + "\n";
        bad.prepare_payload();
        stream_.expires_after(kIoTimeout);
        co_await http::async_write(stream_, bad, asio::redirect_error(use_awaitable, ec));
      }
      break;
    }
    context_.metrics().http1_requests.inc();
    const auto& req = parser.get();
    const Route route = routeFor(req.target());
    if (route.kind == RouteKind::kWebSocket && websocket::is_upgrade(req)) {
      hook_.on_drain = nullptr;
      co_await serveWebSocket(parser);
      co_return;
    }
    // Upgrade: h2c is honoured for requests without a body; others stay on HTTP/1.1, which
    // RFC 9110 §7.8 allows.
    if (beast::iequals(req[http::field::upgrade], "h2c") && req.count("HTTP2-Settings") == 1 &&
        parser.is_done()) {
      if (auto settings = decodeBase64Url(req["HTTP2-Settings"])) {
        co_await upgradeToH2c(parser, std::move(*settings));
        co_return;
      }
    }
    if (!co_await sendContinueIfExpected(parser)) break;
    const bool keep_alive = req.keep_alive() && !hook_.draining();
    bool more = false;
    if (route.kind == RouteKind::kEcho && echoesBody(req.method_string())) {
      more = co_await echoBody(parser, keep_alive);
    } else {
      more = co_await answer(parser, route, keep_alive);
    }
    if (!more || hook_.draining()) break;
  }
  hook_.on_drain = nullptr;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
}

}  // namespace

awaitable<void> serveHttp1(EchoContext& context, std::shared_ptr<ConnectionHook> hook,
                           asio::ip::tcp::socket socket, beast::flat_buffer buffer,
                           std::string client) {
  DrainGuard guard(*hook);
  auto connection = std::make_unique<Http1Connection>(context, hook, std::move(socket),
                                                      std::move(buffer), std::move(client));
  co_await connection->run();
}

}  // namespace ferry::echo
