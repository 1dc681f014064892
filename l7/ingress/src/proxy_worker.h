// One serving thread of ferry-ingress: its own io_context, its own SO_REUSEPORT acceptor (the
// kernel spreads connections over workers), its upstream pool and balancing state. A client
// connection lives on the worker that accepted it; nothing on the request path is shared
// between workers except the published ServingState (an atomic load) and metric atomics.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <random>

#include "config_publisher.h"
#include "endpoint_picker.h"
#include "proxy_metrics.h"
#include "tls_contexts.h"
#include "upstream_pool.h"

namespace ferry::ingress {

struct ProxyOptions {
  // Request line (method, target, version) and the whole header block.
  size_t max_request_line = 8192;
  size_t max_header_bytes = 32768;
  size_t max_header_count = 100;
  // Headers complete within this once a request's first byte arrived (slowloris) -> 408.
  std::chrono::seconds header_timeout{10};
  // An idle keep-alive connection is closed after this.
  std::chrono::seconds keepalive_timeout{60};
  // Between two reads of a request body, or two writes to a slow client.
  std::chrono::seconds client_body_timeout{60};
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::seconds upstream_idle_timeout{30};
  size_t max_idle_per_endpoint = 64;
  size_t max_connections = 16384;  // per worker
  size_t chunk_bytes = 32768;      // body relay buffer per connection
};

class ProxyWorker {
 public:
  // `tls_fallback` (may be null): the default certificate; TLS needs it and listenTls().
  ProxyWorker(const ProxyOptions& options, const ConfigPublisher& publisher, ProxyMetrics& metrics,
              uint64_t seed, const PemPair* tls_fallback);
  ~ProxyWorker();
  ProxyWorker(const ProxyWorker&) = delete;
  ProxyWorker& operator=(const ProxyWorker&) = delete;

  // Throws boost::system::system_error when the address cannot be bound.
  void listen(const boost::asio::ip::tcp::endpoint& endpoint);
  void listenTls(const boost::asio::ip::tcp::endpoint& endpoint);
  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  uint16_t tlsPort() const { return tls_acceptor_.local_endpoint().port(); }
  void start();  // starts accepting; run() then serves
  void run() { io_.run(); }
  void stop() { io_.stop(); }

  boost::asio::io_context& io() { return io_; }
  const ProxyOptions& options() const { return options_; }
  const ConfigPublisher& publisher() const { return publisher_; }
  ProxyMetrics& metrics() { return metrics_; }
  UpstreamPool& pool() { return pool_; }
  EndpointPicker& picker() { return picker_; }
  std::mt19937_64& rng() { return rng_; }
  void connectionClosed();
  // True while the worker is being destroyed: sessions freed by the io_context's shutdown must
  // not touch the (already destroyed) pool and picker.
  bool destroying() const { return destroying_; }

 private:
  void accept(boost::asio::ip::tcp::acceptor& acceptor, bool tls);

  const ProxyOptions& options_;
  const ConfigPublisher& publisher_;
  ProxyMetrics& metrics_;
  boost::asio::io_context io_{1};
  boost::asio::ip::tcp::acceptor acceptor_{io_};
  boost::asio::ip::tcp::acceptor tls_acceptor_{io_};
  std::unique_ptr<TlsContexts> tls_;
  UpstreamPool pool_;
  EndpointPicker picker_;
  std::mt19937_64 rng_;
  size_t connections_ = 0;
  bool destroying_ = false;
};

}  // namespace ferry::ingress
