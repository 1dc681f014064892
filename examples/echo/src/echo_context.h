// What every ferry-echo connection shares: the pod identity, readiness, metrics, and the list
// of live connections a SIGTERM drains.
#pragma once

// clang-format off
#include <utility>  // first: Boost 1.74's asio uses std::exchange without including it
// clang-format on

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "ferry/echo/echo_options.h"
#include "ferry/echo/request_report.h"
#include "ferry/runtime/metrics.h"

namespace ferry::echo {

struct EchoMetrics {
  explicit EchoMetrics(runtime::Registry& registry);

  runtime::Counter& http1_requests;
  runtime::Counter& h2c_requests;
  runtime::Counter& websocket_upgrades;
  runtime::Counter& websocket_messages;
  runtime::Counter& udp_datagrams;
  runtime::Counter& udp_errors;
  runtime::Counter& connections;
  runtime::Counter& protocol_errors;  // unparsable HTTP/1.1, HTTP/2 session errors
  runtime::Gauge& open_connections;
};

class EchoContext;

// One per TCP connection, alive as long as the connection. drain() runs on the connection's
// executor: the connection finishes what it is doing and closes (GOAWAY, Connection: close,
// WebSocket close frame), or closes at once when idle.
class ConnectionHook {
 public:
  ConnectionHook(EchoContext& context, boost::asio::any_io_executor executor);
  ~ConnectionHook();
  ConnectionHook(const ConnectionHook&) = delete;
  ConnectionHook& operator=(const ConnectionHook&) = delete;

  const boost::asio::any_io_executor& executor() const { return executor_; }
  bool draining() const { return draining_; }
  // Set by the connection; cleared (on the executor) before what it captures goes away.
  std::function<void()> on_drain;

 private:
  friend class EchoContext;
  EchoContext& context_;
  boost::asio::any_io_executor executor_;
  bool draining_ = false;  // touched on executor_ only
};

// Clears a hook's on_drain when the connection's frame unwinds.
class DrainGuard {
 public:
  explicit DrainGuard(ConnectionHook& hook) : hook_(hook) {}
  ~DrainGuard() { hook_.on_drain = nullptr; }
  DrainGuard(const DrainGuard&) = delete;
  DrainGuard& operator=(const DrainGuard&) = delete;

 private:
  ConnectionHook& hook_;
};

class EchoContext {
 public:
  EchoContext(EchoOptions options, runtime::Registry& registry);

  const EchoOptions& options() const { return options_; }
  const PodIdentity& who() const { return who_; }
  EchoMetrics& metrics() { return metrics_; }
  std::string renderMetrics() const { return registry_.render(); }

  // /readyz: the ready file exists (when one is configured) and no SIGTERM has arrived.
  bool ready() const;
  bool draining() const;

  // A new connection on `executor`, counted until the hook is destroyed.
  std::shared_ptr<ConnectionHook> track(const boost::asio::any_io_executor& executor);
  // Asks every live connection to finish and close.
  void drainAll();
  // Waits until no connection is left or the deadline passes; true when none is left.
  bool waitForConnections(std::chrono::steady_clock::time_point deadline);

 private:
  friend class ConnectionHook;
  void forget(ConnectionHook* hook);

  EchoOptions options_;
  PodIdentity who_;
  runtime::Registry& registry_;
  EchoMetrics metrics_;

  mutable std::mutex mu_;
  std::condition_variable idle_;
  bool draining_ = false;
  std::map<ConnectionHook*, std::weak_ptr<ConnectionHook>> live_;
};

}  // namespace ferry::echo
