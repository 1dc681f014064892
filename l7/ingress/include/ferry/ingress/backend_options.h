// Per-Ingress proxy settings read from the Ingress's annotations. They apply to every backend of
// that Ingress (its rules' paths and its defaultBackend).
//
//   ferry.io/load-balance      round-robin (default) | least-request | maglev
//   ferry.io/proxy-body-size   request body limit in bytes; suffix k/K or m/M or g/G (binary
//                              multiples, as nginx reads them); "0" = no limit; default 1 MiB
//                              (ingress-nginx's proxy-body-size default)
//   ferry.io/upstream-timeout  seconds (optionally with an "s" suffix), 1..3600, default 60
//                              (nginx's proxy_read_timeout default): how long the proxy waits
//                              for the upstream's response
//
// An unparsable value never rejects the Ingress: the default is used and a warning is returned
// for the builder's diagnostics.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::ingress {

inline constexpr std::string_view kLoadBalanceAnnotation = "ferry.io/load-balance";
inline constexpr std::string_view kProxyBodySizeAnnotation = "ferry.io/proxy-body-size";
inline constexpr std::string_view kUpstreamTimeoutAnnotation = "ferry.io/upstream-timeout";

inline constexpr uint64_t kDefaultMaxBodyBytes = uint64_t{1} << 20;
inline constexpr uint32_t kDefaultUpstreamTimeoutS = 60;
inline constexpr uint32_t kMaxUpstreamTimeoutS = 3600;

enum class LoadBalance : uint8_t {
  kRoundRobin,
  kLeastRequest,  // power of two random choices, fewest in-flight requests
  kMaglev,        // consistent hash over ResolvedBackend::maglev
};

std::string_view toString(LoadBalance lb);

struct BackendOptions {
  LoadBalance load_balance = LoadBalance::kRoundRobin;
  uint64_t max_body_bytes = kDefaultMaxBodyBytes;  // 0 = unlimited
  uint32_t upstream_timeout_s = kDefaultUpstreamTimeoutS;

  bool operator==(const BackendOptions&) const = default;
};

// Reads the ferry.io/* annotations above; `warnings` gets one line per ignored value.
BackendOptions parseBackendOptions(
    const std::map<std::string, std::string, std::less<>>& annotations,
    std::vector<std::string>& warnings);

// "1m" -> 1048576, "512k", "100", "0". nullopt-like false on anything else (overflow included).
bool parseByteSize(std::string_view text, uint64_t& bytes);

}  // namespace ferry::ingress
