// The protocol-independent half of ferry-echo: which route a request target names, and the
// text report a request gets back (who answered, what arrived), the same for HTTP/1.1 and h2c
// so proxy tests compare like with like.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ferry::echo {

// /delay/<ms> is capped here: a demo backend should never hold a connection for minutes.
inline constexpr std::chrono::milliseconds kMaxDelay{10000};

enum class RouteKind {
  kEcho,       // anything else: the report (GET) or the body (POST/PUT)
  kHealthz,    // /healthz
  kReadyz,     // /readyz
  kMetrics,    // /metrics
  kStatus,     // /status/<code>
  kDelay,      // /delay/<ms>
  kWebSocket,  // /ws
  kBadRequest  // /status/ or /delay/ with an unusable number
};

struct Route {
  RouteKind kind = RouteKind::kEcho;
  int status = 200;                   // kStatus
  std::chrono::milliseconds delay{};  // kDelay, already capped
};

// The path of a request target (query string ignored) mapped to its route.
Route routeFor(std::string_view target);

// True for the methods whose body ferry-echo sends back.
bool echoesBody(std::string_view method);

struct RequestView {
  std::string_view proto;  // "HTTP/1.1", "HTTP/1.0" or "h2c"
  std::string_view method;
  std::string_view target;
  std::string_view host;    // Host, or :authority
  std::string_view client;  // peer "ip:port"
  // In arrival order, names lowercased; pseudo-headers excluded.
  std::vector<std::pair<std::string, std::string>> headers;
};

struct PodIdentity {
  std::string pod;
  std::string namespace_name;
};

// "pod=<name> namespace=<ns> proto=<p> method=<M> path=<path> host=<h> client=<ip:port>\n"
// then "header: <name>=<value>\n" per request header.
std::string describeRequest(const PodIdentity& who, const RequestView& request);

// "ip:port", IPv6 in brackets and v4-mapped IPv6 shown as plain IPv4.
std::string formatPeer(std::string_view ip, unsigned port);

std::string toLower(std::string_view text);

}  // namespace ferry::echo
