// A small HTTP/1.1 server for what operators and kubelets poll on every ferry daemon:
// Prometheus /metrics, /healthz, /readyz and friends. Its own port, thread and io_context, so
// a slow scraper never shares a loop with the daemon's real work. One request per connection.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <utility>  // before boost/asio (1.74 needs std::exchange)

#include "ferry/api/result.h"
#include "ferry/runtime/metrics.h"

namespace ferry::runtime {

struct StatusReply {
  int code = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

// Called on the server's thread for GET/HEAD of its path (query string ignored).
using StatusHandler = std::function<StatusReply()>;

class StatusServer {
 public:
  StatusServer() = default;
  ~StatusServer();
  StatusServer(const StatusServer&) = delete;
  StatusServer& operator=(const StatusServer&) = delete;

  // Register before start().
  void handle(std::string path, StatusHandler handler);
  // GET /metrics renders `registry` (calling `refresh` first, when given, to update gauges).
  void serveMetrics(Registry& registry, std::function<void()> refresh = nullptr);

  // "host:port" or "[v6]:port"; port 0 picks a free one.
  api::Result<bool> listen(const std::string& address);
  uint16_t port() const;
  void start();
  void stop();

 private:
  void accept();

  std::map<std::string, StatusHandler, std::less<>> handlers_;
  boost::asio::io_context io_{1};
  boost::asio::ip::tcp::acceptor acceptor_{io_};
  std::thread thread_;
};

}  // namespace ferry::runtime
