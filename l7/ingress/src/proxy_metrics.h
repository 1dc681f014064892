// ferry-ingress's Prometheus series. Every series is created up front (registry lock) by the
// startup or config-building thread; workers only bump relaxed atomics, so the request path
// takes no lock.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "ferry/runtime/metrics.h"

namespace ferry::ingress {

// Why a request or connection was refused before reaching a backend.
enum class Rejection : uint8_t {
  kRequestLineTooLong,  // 414
  kHeadersTooLarge,     // 431
  kTooManyHeaders,      // 431
  kBodyTooLarge,        // 413
  kAmbiguousFraming,    // 400: CL+TE, differing Content-Lengths (request smuggling)
  kBadRequest,          // 400: anything else the parser refuses
  kHeaderTimeout,       // 408: headers not complete in time (slowloris)
  kMaxConnections,      // connection closed at accept
  kCount,
};

std::string_view toString(Rejection reason);

// Requests by status class for one backend ("" = answered by the proxy without a backend).
struct BackendCounters {
  std::array<runtime::Counter*, 5> by_class{};  // 1xx..5xx

  void count(unsigned status) const {
    const unsigned c = status / 100;
    if (c >= 1 && c <= 5) by_class[c - 1]->inc();
  }
};

class ProxyMetrics {
 public:
  explicit ProxyMetrics(runtime::Registry& registry);

  // The counters of requests routed to `backend` ("ns/service:port"); takes the registry lock,
  // so call it off the request path (when a config is published).
  BackendCounters backendCounters(const std::string& backend);

  const BackendCounters& noBackend() const { return no_backend_; }
  void reject(Rejection reason) { rejections_[static_cast<size_t>(reason)]->inc(); }

  runtime::Counter& upstream_connect_failures;
  runtime::Counter& upstream_retries;
  runtime::Counter& upstream_timeouts;
  runtime::Counter& upstream_errors;
  runtime::Counter& connections_accepted;
  runtime::Counter& accept_errors;
  runtime::Counter& tls_handshakes;
  runtime::Counter& tls_handshake_failures;
  runtime::Gauge& active_connections;
  runtime::Gauge& config_version;
  runtime::Counter& config_reloads;
  runtime::Gauge& config_ready;
  runtime::Histogram& request_seconds;

 private:
  runtime::Registry& registry_;
  BackendCounters no_backend_;
  std::array<runtime::Counter*, static_cast<size_t>(Rejection::kCount)> rejections_{};
};

}  // namespace ferry::ingress
