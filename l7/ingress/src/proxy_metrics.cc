#include "proxy_metrics.h"

namespace ferry::ingress {

std::string_view toString(Rejection reason) {
  switch (reason) {
    case Rejection::kRequestLineTooLong:
      return "request_line_too_long";
    case Rejection::kHeadersTooLarge:
      return "headers_too_large";
    case Rejection::kTooManyHeaders:
      return "too_many_headers";
    case Rejection::kBodyTooLarge:
      return "body_too_large";
    case Rejection::kAmbiguousFraming:
      return "ambiguous_framing";
    case Rejection::kBadRequest:
      return "bad_request";
    case Rejection::kHeaderTimeout:
      return "header_timeout";
    case Rejection::kMaxConnections:
      return "max_connections";
    case Rejection::kCount:
      break;
  }
  return "unknown";
}

ProxyMetrics::ProxyMetrics(runtime::Registry& registry)
    : upstream_connect_failures(
          registry.counter("ferry_ingress_upstream_connect_failures_total",
                           "Connections to endpoints that failed or timed out.")),
      upstream_retries(registry.counter("ferry_ingress_upstream_retries_total",
                                        "Requests retried on another endpoint.")),
      upstream_timeouts(registry.counter(
          "ferry_ingress_upstream_timeouts_total",
          "Requests answered 504: no response within the backend's upstream timeout.")),
      upstream_errors(registry.counter(
          "ferry_ingress_upstream_errors_total",
          "Requests whose upstream exchange failed (502, or a response cut short).")),
      connections_accepted(registry.counter("ferry_ingress_connections_accepted_total",
                                            "Client connections accepted.")),
      accept_errors(registry.counter("ferry_ingress_accept_errors_total",
                                     "accept() failures (descriptors exhausted, ...).")),
      tls_handshakes(
          registry.counter("ferry_ingress_tls_handshakes_total", "TLS handshakes completed.")),
      tls_handshake_failures(registry.counter("ferry_ingress_tls_handshake_failures_total",
                                              "TLS handshakes that failed or timed out.")),
      active_connections(
          registry.gauge("ferry_ingress_active_connections", "Open client connections.")),
      config_version(registry.gauge("ferry_ingress_config_version",
                                    "Version of the configuration being served.")),
      config_reloads(registry.counter("ferry_ingress_config_reloads_total",
                                      "Configurations published (no process reload involved).")),
      config_ready(registry.gauge("ferry_ingress_config_ready",
                                  "1 once the first complete configuration is served.")),
      request_seconds(registry.histogram("ferry_ingress_request_duration_seconds",
                                         "Request to end of response, as the proxy sees it.")),
      registry_(registry) {
  no_backend_ = backendCounters("");
  for (size_t i = 0; i < rejections_.size(); ++i) {
    rejections_[i] =
        &registry.counter("ferry_ingress_rejections_total",
                          "Requests and connections refused by a limit or as malformed, by reason.",
                          {{"reason", std::string(toString(static_cast<Rejection>(i)))}});
  }
}

BackendCounters ProxyMetrics::backendCounters(const std::string& backend) {
  BackendCounters out;
  for (unsigned c = 1; c <= 5; ++c) {
    out.by_class[c - 1] =
        &registry_.counter("ferry_ingress_requests_total", "Requests by backend and status class.",
                           {{"backend", backend}, {"code", std::to_string(c) + "xx"}});
  }
  return out;
}

}  // namespace ferry::ingress
