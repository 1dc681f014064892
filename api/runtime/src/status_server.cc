#include "ferry/runtime/status_server.h"

#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <memory>

namespace ferry::runtime {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

// A client that takes longer than this to send its request is dropped.
constexpr std::chrono::seconds kRequestTimeout{10};

using Handlers = std::map<std::string, StatusHandler, std::less<>>;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(asio::ip::tcp::socket socket, const Handlers& handlers)
      : stream_(std::move(socket)), handlers_(handlers) {}

  void start() {
    stream_.expires_after(kRequestTimeout);
    http::async_read(stream_, buffer_, request_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (!ec) self->respond();
                     });
  }

 private:
  void respond() {
    response_.version(request_.version());
    response_.keep_alive(false);
    const std::string_view target = request_.target();
    const std::string_view path = target.substr(0, target.find('?'));
    StatusReply reply;
    if (request_.method() != http::verb::get && request_.method() != http::verb::head) {
      reply = {405, "text/plain; charset=utf-8", "method not allowed\n"};
    } else if (auto it = handlers_.find(path); it != handlers_.end()) {
      reply = it->second();
    } else {
      reply = {404, "text/plain; charset=utf-8", "not found\n"};
    }
    response_.result(static_cast<http::status>(reply.code));
    response_.set(http::field::content_type, reply.content_type);
    response_.body() =
        request_.method() == http::verb::head ? std::string() : std::move(reply.body);
    response_.prepare_payload();
    http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code, size_t) {
      beast::error_code ignored;
      self->stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    });
  }

  beast::tcp_stream stream_;
  const Handlers& handlers_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
};

}  // namespace

StatusServer::~StatusServer() {
  stop();
}

void StatusServer::handle(std::string path, StatusHandler handler) {
  handlers_[std::move(path)] = std::move(handler);
}

void StatusServer::serveMetrics(Registry& registry, std::function<void()> refresh) {
  handle("/metrics", [&registry, refresh = std::move(refresh)] {
    if (refresh) refresh();
    return StatusReply{200, "text/plain; version=0.0.4; charset=utf-8", registry.render()};
  });
}

api::Result<bool> StatusServer::listen(const std::string& address) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos) return api::Error{"listen address must be host:port: " + address};
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  try {
    const int port = std::stoi(address.substr(colon + 1));
    if (port < 0 || port > 65535) return api::Error{"port out of range: " + address};
    asio::ip::tcp::endpoint ep(asio::ip::make_address(host.empty() ? "0.0.0.0" : host),
                               static_cast<uint16_t>(port));
    acceptor_.open(ep.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen();
  } catch (const std::exception& e) {
    return api::Error{"listen on " + address + ": " + e.what()};
  }
  return true;
}

uint16_t StatusServer::port() const {
  return acceptor_.local_endpoint().port();
}

void StatusServer::start() {
  accept();
  thread_ = std::thread([this] { io_.run(); });
}

void StatusServer::stop() {
  if (!thread_.joinable()) return;
  asio::post(io_, [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
    io_.stop();
  });
  thread_.join();
}

void StatusServer::accept() {
  acceptor_.async_accept([this](beast::error_code ec, asio::ip::tcp::socket socket) {
    if (!acceptor_.is_open()) return;
    if (!ec) std::make_shared<Session>(std::move(socket), handlers_)->start();
    accept();
  });
}

}  // namespace ferry::runtime
