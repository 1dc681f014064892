#include "echo_context.h"

#include <boost/asio/post.hpp>
#include <filesystem>
#include <vector>

namespace ferry::echo {

EchoMetrics::EchoMetrics(runtime::Registry& registry)
    : http1_requests(registry.counter("ferry_echo_requests_total", "HTTP requests answered.",
                                      {{"proto", "HTTP/1.1"}})),
      h2c_requests(registry.counter("ferry_echo_requests_total", "HTTP requests answered.",
                                    {{"proto", "h2c"}})),
      websocket_upgrades(registry.counter("ferry_echo_websocket_upgrades_total",
                                          "WebSocket handshakes accepted on /ws.")),
      websocket_messages(
          registry.counter("ferry_echo_websocket_messages_total", "WebSocket messages echoed.")),
      udp_datagrams(registry.counter("ferry_echo_udp_datagrams_total", "UDP datagrams answered.")),
      udp_errors(registry.counter("ferry_echo_udp_errors_total",
                                  "UDP receive or send errors (datagram not answered).")),
      connections(registry.counter("ferry_echo_connections_total", "TCP connections accepted.")),
      protocol_errors(registry.counter(
          "ferry_echo_protocol_errors_total",
          "Connections closed on a malformed HTTP/1.1 request or an HTTP/2 session error.")),
      open_connections(registry.gauge("ferry_echo_open_connections", "TCP connections open.")) {}

ConnectionHook::ConnectionHook(EchoContext& context, boost::asio::any_io_executor executor)
    : context_(context), executor_(std::move(executor)) {}

ConnectionHook::~ConnectionHook() {
  context_.forget(this);
}

EchoContext::EchoContext(EchoOptions options, runtime::Registry& registry)
    : options_(std::move(options)),
      who_{options_.pod_name, options_.namespace_name},
      registry_(registry),
      metrics_(registry) {}

bool EchoContext::ready() const {
  if (draining()) return false;
  if (options_.ready_file.empty()) return true;
  std::error_code ec;
  return std::filesystem::exists(options_.ready_file, ec);
}

bool EchoContext::draining() const {
  std::lock_guard lock(mu_);
  return draining_;
}

std::shared_ptr<ConnectionHook> EchoContext::track(const boost::asio::any_io_executor& executor) {
  auto hook = std::make_shared<ConnectionHook>(*this, executor);
  bool drain_now = false;
  {
    std::lock_guard lock(mu_);
    live_.emplace(hook.get(), hook);
    drain_now = draining_;
  }
  metrics_.connections.inc();
  metrics_.open_connections.add(1);
  // Accepted in the instant a SIGTERM arrived: it closes like the others.
  if (drain_now) hook->draining_ = true;
  return hook;
}

void EchoContext::forget(ConnectionHook* hook) {
  metrics_.open_connections.add(-1);
  std::lock_guard lock(mu_);
  live_.erase(hook);
  if (live_.empty()) idle_.notify_all();
}

void EchoContext::drainAll() {
  std::vector<std::shared_ptr<ConnectionHook>> hooks;
  {
    std::lock_guard lock(mu_);
    draining_ = true;
    for (const auto& [raw, weak] : live_) {
      if (auto hook = weak.lock()) hooks.push_back(std::move(hook));
    }
  }
  for (auto& hook : hooks) {
    auto executor = hook->executor();
    boost::asio::post(executor, [hook = std::move(hook)] {
      hook->draining_ = true;
      if (hook->on_drain) hook->on_drain();
    });
  }
}

bool EchoContext::waitForConnections(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mu_);
  return idle_.wait_until(lock, deadline, [&] { return live_.empty(); });
}

}  // namespace ferry::echo
