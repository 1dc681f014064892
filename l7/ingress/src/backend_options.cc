#include "ferry/ingress/backend_options.h"

#include <charconv>
#include <limits>

namespace ferry::ingress {

std::string_view toString(LoadBalance lb) {
  switch (lb) {
    case LoadBalance::kRoundRobin:
      return "round-robin";
    case LoadBalance::kLeastRequest:
      return "least-request";
    case LoadBalance::kMaglev:
      return "maglev";
  }
  return "?";
}

bool parseByteSize(std::string_view text, uint64_t& bytes) {
  if (text.empty()) return false;
  uint64_t multiplier = 1;
  switch (text.back()) {
    case 'k':
    case 'K':
      multiplier = uint64_t{1} << 10;
      break;
    case 'm':
    case 'M':
      multiplier = uint64_t{1} << 20;
      break;
    case 'g':
    case 'G':
      multiplier = uint64_t{1} << 30;
      break;
    default:
      break;
  }
  if (multiplier != 1) text.remove_suffix(1);
  if (text.empty()) return false;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return false;
  if (value > std::numeric_limits<uint64_t>::max() / multiplier) return false;
  bytes = value * multiplier;
  return true;
}

namespace {

bool parseSeconds(std::string_view text, uint32_t& seconds) {
  if (!text.empty() && text.back() == 's') text.remove_suffix(1);
  if (text.empty()) return false;
  uint32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return false;
  if (value < 1 || value > kMaxUpstreamTimeoutS) return false;
  seconds = value;
  return true;
}

}  // namespace

BackendOptions parseBackendOptions(
    const std::map<std::string, std::string, std::less<>>& annotations,
    std::vector<std::string>& warnings) {
  BackendOptions options;
  if (auto it = annotations.find(kLoadBalanceAnnotation); it != annotations.end()) {
    if (it->second == "round-robin") {
      options.load_balance = LoadBalance::kRoundRobin;
    } else if (it->second == "least-request") {
      options.load_balance = LoadBalance::kLeastRequest;
    } else if (it->second == "maglev") {
      options.load_balance = LoadBalance::kMaglev;
    } else {
      warnings.push_back(std::string(kLoadBalanceAnnotation) + ": unsupported value \"" +
                         it->second + "\" (round-robin, least-request, maglev); using round-robin");
    }
  }
  if (auto it = annotations.find(kProxyBodySizeAnnotation); it != annotations.end()) {
    if (!parseByteSize(it->second, options.max_body_bytes)) {
      options.max_body_bytes = kDefaultMaxBodyBytes;
      warnings.push_back(std::string(kProxyBodySizeAnnotation) + ": invalid size \"" + it->second +
                         "\" (bytes, optional k/m/g suffix); using 1m");
    }
  }
  if (auto it = annotations.find(kUpstreamTimeoutAnnotation); it != annotations.end()) {
    if (!parseSeconds(it->second, options.upstream_timeout_s)) {
      options.upstream_timeout_s = kDefaultUpstreamTimeoutS;
      warnings.push_back(std::string(kUpstreamTimeoutAnnotation) + ": invalid timeout \"" +
                         it->second + "\" (seconds, 1.." + std::to_string(kMaxUpstreamTimeoutS) +
                         "); using " + std::to_string(kDefaultUpstreamTimeoutS));
    }
  }
  return options;
}

}  // namespace ferry::ingress
