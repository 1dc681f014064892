#include "ferry/agent/health_check_server.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

namespace ferry::agent {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::map<uint16_t, HealthCheckEntry> healthCheckPorts(const model::ServiceSnapshot& snapshot,
                                                      const std::string& node_name) {
  std::map<uint16_t, HealthCheckEntry> out;
  for (const auto& svc : snapshot.services()) {
    if (svc->health_check_node_port == 0) continue;
    uint32_t local = 0;
    std::set<model::IpAddress> counted;
    for (const auto& b : svc->backends) {
      if (b.state == model::BackendState::kReady && b.node == node_name &&
          counted.insert(b.address).second)
        ++local;
    }
    HealthCheckEntry& e = out[svc->health_check_node_port];
    e.ns = svc->name.ns;
    e.name = svc->name.name;
    e.local_endpoints = std::max(e.local_endpoints, local);
  }
  return out;
}

struct HealthCheckServer::Impl {
  explicit Impl(HealthCheckOptions o) : options(std::move(o)) {
    thread = std::thread([this] { io.run(); });
  }
  ~Impl() {
    work.reset();
    asio::post(io, [this] {
      for (auto& [port, l] : listeners) l->close();
      listeners.clear();
    });
    io.stop();
    thread.join();
  }

  struct Listener {
    explicit Listener(asio::io_context& io) : acceptor(io) {}
    void close() {
      boost::system::error_code ignored;
      acceptor.close(ignored);
    }
    tcp::acceptor acceptor;
  };

  // One request, one answer, then close (kube-proxy's health checks are one-shot probes).
  struct Session : std::enable_shared_from_this<Session> {
    Session(Impl& impl, tcp::socket s, uint16_t p) : owner(impl), socket(std::move(s)), port(p) {}
    void start() {
      auto self = shared_from_this();
      http::async_read(socket, buffer, request, [self](beast::error_code ec, size_t) {
        if (ec) return;
        self->answer();
      });
    }
    void answer() {
      HealthCheckEntry e;
      bool known = false;
      {
        std::lock_guard lock(owner.mu);
        auto it = owner.entries.find(port);
        if (it != owner.entries.end()) {
          e = it->second;
          known = true;
        }
      }
      nlohmann::json body = {{"service", {{"namespace", e.ns}, {"name", e.name}}},
                             {"localEndpoints", e.local_endpoints},
                             {"serviceProxyHealthy", true}};
      response.version(request.version());
      response.keep_alive(false);
      response.result(known && e.local_endpoints > 0 ? http::status::ok
                                                     : http::status::service_unavailable);
      response.set(http::field::content_type, "application/json");
      response.set("X-Content-Type-Options", "nosniff");
      response.set("X-Load-Balancing-Endpoint-Weight", std::to_string(e.local_endpoints));
      response.body() = body.dump();
      response.prepare_payload();
      auto self = shared_from_this();
      http::async_write(socket, response, [self](beast::error_code, size_t) {
        beast::error_code ignored;
        self->socket.shutdown(tcp::socket::shutdown_send, ignored);
      });
    }
    Impl& owner;
    tcp::socket socket;
    uint16_t port;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::response<http::string_body> response;
  };

  void accept(const std::shared_ptr<Listener>& l, uint16_t port) {
    l->acceptor.async_accept([this, l, port](beast::error_code ec, tcp::socket s) {
      if (ec == asio::error::operation_aborted || !l->acceptor.is_open()) return;
      if (!ec) std::make_shared<Session>(*this, std::move(s), port)->start();
      accept(l, port);
    });
  }

  // On the io thread: listeners to match `ports`; returns the ports that could not be bound.
  std::string reconcile(const std::set<uint16_t>& ports) {
    for (auto it = listeners.begin(); it != listeners.end();) {
      if (ports.contains(it->first)) {
        ++it;
        continue;
      }
      it->second->close();
      it = listeners.erase(it);
    }
    std::string failed;
    for (uint16_t port : ports) {
      if (listeners.contains(port)) continue;
      auto l = std::make_shared<Listener>(io);
      boost::system::error_code ec;
      const tcp::endpoint at(asio::ip::make_address(options.bind_address, ec), port);
      if (!ec) l->acceptor.open(at.protocol(), ec);
      if (!ec) l->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
      if (!ec) l->acceptor.bind(at, ec);
      if (!ec) l->acceptor.listen(asio::socket_base::max_listen_connections, ec);
      if (ec) {
        failed += (failed.empty() ? "" : ", ") + std::to_string(port) + " (" + ec.message() + ")";
        continue;
      }
      listeners[port] = l;
      accept(l, port);
    }
    return failed;
  }

  HealthCheckOptions options;
  asio::io_context io;
  std::unique_ptr<asio::executor_work_guard<asio::io_context::executor_type>> work =
      std::make_unique<asio::executor_work_guard<asio::io_context::executor_type>>(
          asio::make_work_guard(io));
  std::map<uint16_t, std::shared_ptr<Listener>> listeners;  // io thread only
  mutable std::mutex mu;
  std::map<uint16_t, HealthCheckEntry> entries;  // under mu
  size_t listening = 0;                          // under mu
  std::thread thread;
};

HealthCheckServer::HealthCheckServer(HealthCheckOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

HealthCheckServer::~HealthCheckServer() = default;

bool HealthCheckServer::program(const model::ServiceSnapshot& snapshot, std::string& error) {
  auto wanted = healthCheckPorts(snapshot, impl_->options.node_name);
  std::set<uint16_t> ports;
  for (const auto& [port, e] : wanted) ports.insert(port);
  {
    std::lock_guard lock(impl_->mu);
    impl_->entries = std::move(wanted);
  }
  std::promise<std::string> done;
  auto result = done.get_future();
  asio::post(impl_->io, [this, &ports, &done] {
    std::string failed = impl_->reconcile(ports);
    {
      std::lock_guard lock(impl_->mu);
      impl_->listening = impl_->listeners.size();
    }
    done.set_value(std::move(failed));
  });
  const std::string failed = result.get();
  if (failed.empty()) return true;
  error = "healthCheckNodePort not served on " + failed;
  return false;
}

size_t HealthCheckServer::listening() const {
  std::lock_guard lock(impl_->mu);
  return impl_->listening;
}

}  // namespace ferry::agent
