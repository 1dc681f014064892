#include "ferry/echo/request_report.h"

#include <algorithm>
#include <charconv>

namespace ferry::echo {

namespace {

// The decimal number after `prefix` in `path`, if the rest of the path is exactly that.
bool numberAfter(std::string_view path, std::string_view prefix, long& out) {
  if (!path.starts_with(prefix)) return false;
  const std::string_view digits = path.substr(prefix.size());
  if (digits.empty() || digits.size() > 9) return false;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
  return ec == std::errc() && end == digits.data() + digits.size();
}

}  // namespace

Route routeFor(std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  Route route;
  if (path == "/healthz") {
    route.kind = RouteKind::kHealthz;
  } else if (path == "/readyz") {
    route.kind = RouteKind::kReadyz;
  } else if (path == "/metrics") {
    route.kind = RouteKind::kMetrics;
  } else if (path == "/ws") {
    route.kind = RouteKind::kWebSocket;
  } else if (path.starts_with("/status/")) {
    long code = 0;
    // 1xx are interim responses, not answers; anything outside 200-599 is not a status.
    if (numberAfter(path, "/status/", code) && code >= 200 && code <= 599) {
      route.kind = RouteKind::kStatus;
      route.status = static_cast<int>(code);
    } else {
      route.kind = RouteKind::kBadRequest;
    }
  } else if (path.starts_with("/delay/")) {
    long ms = 0;
    if (numberAfter(path, "/delay/", ms) && ms >= 0) {
      route.kind = RouteKind::kDelay;
      route.delay = std::min(std::chrono::milliseconds(ms), kMaxDelay);
    } else {
      route.kind = RouteKind::kBadRequest;
    }
  }
  return route;
}

bool echoesBody(std::string_view method) {
  return method == "POST" || method == "PUT";
}

std::string toLower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return out;
}

std::string describeRequest(const PodIdentity& who, const RequestView& request) {
  std::string out;
  out.reserve(256 + request.headers.size() * 48);
  out.append("pod=").append(who.pod);
  out.append(" namespace=").append(who.namespace_name);
  out.append(" proto=").append(request.proto);
  out.append(" method=").append(request.method);
  out.append(" path=").append(request.target);
  out.append(" host=").append(request.host);
  out.append(" client=").append(request.client);
  out.push_back('\n');
  for (const auto& [name, value] : request.headers) {
    out.append("header: ").append(name).append("=").append(value).push_back('\n');
  }
  return out;
}

std::string formatPeer(std::string_view ip, unsigned port) {
  std::string out;
  if (ip.find(':') != std::string_view::npos) {
    out.append("[").append(ip).append("]");
  } else {
    out.append(ip);
  }
  out.append(":").append(std::to_string(port));
  return out;
}

}  // namespace ferry::echo
