#include "ferry/controlplane/http_server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>

#include <cctype>
#include <nlohmann/json.hpp>

#include "ferry/runtime/log.h"

namespace ferry::controlplane {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::awaitable;
using asio::use_awaitable;
using Stream = beast::ssl_stream<beast::tcp_stream>;

std::string percentDecode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%' && i + 2 < in.size() && std::isxdigit(static_cast<unsigned char>(in[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(in[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(in.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string HttpRequest::param(const std::string& name) const {
  auto it = query.find(name);
  return it == query.end() ? std::string() : it->second;
}

std::string HttpRequest::header(http::field f) const {
  auto it = headers.find(f);
  return it == headers.end() ? std::string() : std::string(it->value());
}

namespace {

HttpRequest toRequest(http::request<http::string_body>&& raw, std::string remote) {
  HttpRequest r;
  r.method = raw.method();
  r.method_string = std::string(raw.method_string());
  std::string_view target = raw.target();
  auto q = target.find('?');
  r.path = percentDecode(target.substr(0, q), false);
  if (q != std::string_view::npos) {
    std::string_view qs = target.substr(q + 1);
    while (!qs.empty()) {
      auto amp = qs.find('&');
      std::string_view pair = qs.substr(0, amp);
      auto eq = pair.find('=');
      std::string key = percentDecode(pair.substr(0, eq), true);
      std::string value = eq == std::string_view::npos ? "" : percentDecode(pair.substr(eq + 1), true);
      if (!key.empty()) r.query.emplace(std::move(key), std::move(value));
      if (amp == std::string_view::npos) break;
      qs = qs.substr(amp + 1);
    }
  }
  r.headers = std::move(raw.base());
  r.body = std::move(raw.body());
  r.remote = std::move(remote);
  return r;
}

class StreamWriter final : public ResponseWriter {
 public:
  StreamWriter(Stream& stream, unsigned version, bool keep_alive)
      : stream_(stream), version_(version), keep_alive_(keep_alive) {}

  awaitable<void> send(int status, std::string content_type, std::string body,
                       const http::fields& extra) override {
    http::response<http::string_body> res{static_cast<http::status>(status), version_};
    res.set(http::field::server, "ferry-controlplane");
    res.set(http::field::content_type, content_type);
    res.set("Cache-Control", "no-cache, private");
    for (const auto& f : extra) res.set(f.name_string(), f.value());
    res.keep_alive(keep_alive_);
    res.body() = std::move(body);
    res.prepare_payload();
    sent_ = true;
    boost::system::error_code ec;
    co_await http::async_write(stream_, res, asio::redirect_error(use_awaitable, ec));
    if (ec) keep_alive_ = false;
  }

  awaitable<bool> startStream(std::string content_type) override {
    http::response<http::empty_body> res{http::status::ok, version_};
    res.set(http::field::server, "ferry-controlplane");
    res.set(http::field::content_type, content_type);
    res.set("Cache-Control", "no-cache, private");
    res.chunked(true);
    res.keep_alive(keep_alive_);
    sent_ = true;
    // A stream may stay open for as long as the client wants it.
    beast::get_lowest_layer(stream_).expires_never();
    http::response_serializer<http::empty_body> sr{res};
    boost::system::error_code ec;
    co_await http::async_write_header(stream_, sr, asio::redirect_error(use_awaitable, ec));
    if (ec) keep_alive_ = false;
    co_return !ec;
  }

  awaitable<bool> writeChunk(std::string data) override {
    boost::system::error_code ec;
    co_await asio::async_write(stream_, http::make_chunk(asio::buffer(data)),
                               asio::redirect_error(use_awaitable, ec));
    if (ec) keep_alive_ = false;
    co_return !ec;
  }

  awaitable<void> endStream() override {
    boost::system::error_code ec;
    co_await asio::async_write(stream_, http::make_chunk_last(), asio::redirect_error(use_awaitable, ec));
    if (ec) keep_alive_ = false;
  }

  bool sent() const override { return sent_; }
  bool keepAlive() const { return keep_alive_; }

 private:
  Stream& stream_;
  unsigned version_;
  bool keep_alive_;
  bool sent_ = false;
};

awaitable<void> sendError(Stream& stream, http::status status, std::string_view reason, std::string_view message) {
  http::response<http::string_body> res{status, 11};
  res.set(http::field::content_type, "application/json");
  res.set(http::field::connection, "close");
  nlohmann::json body = {{"kind", "Status"},
                         {"apiVersion", "v1"},
                         {"metadata", nlohmann::json::object()},
                         {"status", "Failure"},
                         {"message", message},
                         {"reason", reason},
                         {"code", static_cast<int>(status)}};
  res.body() = body.dump();
  res.prepare_payload();
  boost::system::error_code ec;
  co_await http::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
}

}  // namespace

HttpsServer::HttpsServer(asio::io_context& io, asio::ssl::context& tls, HttpHandler handler,
                         HttpServerOptions options)
    : io_(io), tls_(tls), handler_(std::move(handler)), options_(options), acceptor_(io) {}

void HttpsServer::listen(const asio::ip::tcp::endpoint& endpoint) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  if (endpoint.address().is_v6()) acceptor_.set_option(asio::ip::v6_only(false));
  acceptor_.bind(endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  asio::co_spawn(io_, acceptLoop(), asio::detached);
}

uint16_t HttpsServer::port() const { return acceptor_.local_endpoint().port(); }

void HttpsServer::stop() {
  boost::system::error_code ec;
  acceptor_.close(ec);
}

awaitable<void> HttpsServer::acceptLoop() {
  while (acceptor_.is_open()) {
    boost::system::error_code ec;
    // Each connection gets its own strand: its coroutine never runs on two threads at once.
    asio::ip::tcp::socket socket(asio::make_strand(io_));
    co_await acceptor_.async_accept(socket, asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (!acceptor_.is_open()) break;
      continue;
    }
    auto executor = socket.get_executor();
    asio::co_spawn(executor, session(std::move(socket)), asio::detached);
  }
}

awaitable<void> HttpsServer::session(asio::ip::tcp::socket socket) {
  stats_.connections.fetch_add(1, std::memory_order_relaxed);
  boost::system::error_code ec;
  std::string remote;
  {
    auto ep = socket.remote_endpoint(ec);
    if (!ec) remote = ep.address().to_string() + ":" + std::to_string(ep.port());
  }
  Stream stream(std::move(socket), tls_);
  beast::get_lowest_layer(stream).expires_after(options_.handshake_timeout);
  co_await stream.async_handshake(asio::ssl::stream_base::server, asio::redirect_error(use_awaitable, ec));
  if (ec) {
    stats_.tls_failures.fetch_add(1, std::memory_order_relaxed);
    co_return;
  }

  beast::flat_buffer buffer;
  for (;;) {
    beast::get_lowest_layer(stream).expires_after(options_.idle_timeout);
    http::request_parser<http::string_body> parser;
    parser.body_limit(options_.max_body_bytes);
    parser.header_limit(static_cast<uint32_t>(options_.max_header_bytes));
    co_await http::async_read(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
    if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::ssl::error::stream_truncated ||
        ec == beast::error::timeout || ec == asio::error::connection_reset || ec == asio::error::operation_aborted)
      break;
    if (ec == http::error::body_limit) {
      stats_.oversized_bodies.fetch_add(1, std::memory_order_relaxed);
      co_await sendError(stream, http::status::payload_too_large, "RequestEntityTooLarge",
                         "the request body exceeds the limit of " + std::to_string(options_.max_body_bytes) + " bytes");
      break;
    }
    if (ec == http::error::header_limit) {
      stats_.oversized_headers.fetch_add(1, std::memory_order_relaxed);
      co_await sendError(stream, http::status::request_header_fields_too_large, "RequestHeaderFieldsTooLarge",
                         "request headers too large");
      break;
    }
    if (ec) {
      stats_.bad_requests.fetch_add(1, std::memory_order_relaxed);
      co_await sendError(stream, http::status::bad_request, "BadRequest", "malformed HTTP request: " + ec.message());
      break;
    }
    auto raw = parser.release();
    const bool keep_alive = raw.keep_alive();
    const unsigned version = raw.version();
    HttpRequest req = toRequest(std::move(raw), remote);
    StreamWriter writer(stream, version, keep_alive);
    beast::get_lowest_layer(stream).expires_never();  // handlers bound their own work
    co_await handler_(req, writer);
    if (!writer.sent()) co_await writer.send(500, "text/plain", "handler sent no response\n", http::fields{});
    if (!writer.keepAlive()) break;
  }
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
  co_await stream.async_shutdown(asio::redirect_error(use_awaitable, ec));
}

}  // namespace ferry::controlplane
