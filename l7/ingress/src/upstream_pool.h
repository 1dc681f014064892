// Per-worker keep-alive connections to endpoints. A connection returns here after a complete
// exchange whose response allowed keep-alive, and is handed out again for the same endpoint.
// Idle connections are dropped after `idle_timeout` (default 30 s: below common backend
// keep-alive timeouts — Go 90 s, nginx 75 s, Node 5 s is the exception — so the proxy closes
// first instead of racing a backend's close), and a connection the peer closed meanwhile is
// noticed when taken (a non-blocking peek) rather than on the request. Single-threaded: lives
// on its worker's io_context.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <unordered_map>

#include "endpoint_picker.h"

namespace ferry::ingress {

struct UpstreamConnection {
  explicit UpstreamConnection(boost::asio::io_context& io) : stream(io) {}
  boost::beast::tcp_stream stream;
  Endpoint endpoint;
  bool reused = false;  // came from the pool (may have been closed by the peer in between)
};

class UpstreamPool {
 public:
  UpstreamPool(boost::asio::io_context& io, std::chrono::seconds idle_timeout,
               size_t max_idle_per_endpoint);

  // An idle connection to `endpoint`, or null.
  std::unique_ptr<UpstreamConnection> take(const Endpoint& endpoint);
  void put(std::unique_ptr<UpstreamConnection> connection);
  size_t idleCount() const;

 private:
  struct Idle {
    std::unique_ptr<UpstreamConnection> connection;
    std::chrono::steady_clock::time_point since;
  };
  void sweep();

  boost::asio::steady_timer sweeper_;
  std::chrono::seconds idle_timeout_;
  size_t max_idle_;
  std::unordered_map<Endpoint, std::deque<Idle>, EndpointHash> idle_;
};

// The asio endpoint of a model endpoint.
boost::asio::ip::tcp::endpoint toAsio(const Endpoint& e);

}  // namespace ferry::ingress
