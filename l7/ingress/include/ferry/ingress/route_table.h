// The routing table of ferry-ingress: (Host, path) -> Backend, built once from the selected
// Ingresses and then only read (shared as RouteTable::Ptr between worker threads, no locks).
//
// Lookup (networking.k8s.io/v1 semantics plus the choices the spec leaves open):
//
//  - Host: the Host header (or :authority) without its port ("Foo.com:8080" -> "foo.com",
//    "[::1]:80" -> "::1"), one trailing dot dropped, compared case-insensitively. Candidate
//    rule sets, most specific first: the exact host; the wildcard "*.<parent>" (the '*' is
//    exactly one label: "*.foo.com" matches "bar.foo.com", not "foo.com", not
//    "baz.bar.foo.com"); the rules without host. The first set with a matching *path* wins;
//    a set without one falls through to the next (a host-less rule "applies to all inbound
//    HTTP traffic", as the Ingress API says, also to hosts that have rules of their own — the
//    Gateway API's precedence, host specificity before path length, gives the same answer).
//    Nothing matching -> the default backend (spec.defaultBackend) -> no route (404).
//  - Path, within one host's set: Exact compares the whole path, byte for byte. Prefix (and
//    ImplementationSpecific, treated as Prefix) matches element-wise on '/'-separated segments,
//    case-sensitively, a trailing '/' on either side ignored: "/foo" and "/foo/" both match
//    "/foo", "/foo/" and "/foo/bar", never "/foobar". The longest rule path wins; at equal
//    length Exact beats Prefix. The path must come without query (match() cuts at '?'
//    anyway) and already percent-decoded/normalized as the proxy wants it.
//
// Merging and conflicts: all selected Ingresses' rules for one host are merged into one set.
// Two paths of the same host with the same path and the same (effective) type conflict —
// Prefix "/foo" and "/foo/" are the same path, ImplementationSpecific counts as Prefix. The
// route of the OLDEST Ingress (metadata.creationTimestamp) wins; equal timestamps (one-second
// resolution) are broken by namespace, then name, ascending; within one Ingress the first
// occurrence wins. The same rule picks the default backend among several Ingresses with
// spec.defaultBackend. The result therefore depends only on the set of Ingresses, never on the
// order they arrived in; every loser is reported as a RouteConflict.
//
// Data structure: a hash map per host kind (exact names, wildcard parents) to a host's routes,
// kept as a flat vector sorted by match length descending, Exact before Prefix at equal
// length; lookup scans it and returns the first hit, which is the longest match by
// construction. Each Prefix entry stores its path with the trailing '/' removed, so a test is
// one memcmp plus one byte check for the segment boundary. Hosts have few paths (typically
// under a few dozen), where a contiguous scan beats a segment trie's pointer chasing and
// per-segment hashing, and it needs no allocation: the Host is lower-cased into a stack
// buffer, the maps are searched with std::string_view (heterogeneous lookup).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ferry/ingress/backend_options.h"
#include "ferry/ingress/ingress_objects.h"

namespace ferry::ingress {

// Where a route sends requests: one Service port, as named by one Ingress (with that Ingress's
// annotations). Every path of an Ingress naming the same Service port shares one Backend.
struct Backend {
  uint32_t id = 0;  // index into RouteTable::backends() and IngressConfig::backends()
  std::string ns;   // the Service's namespace = the Ingress's namespace
  ServiceRef service;
  std::string ingress_ns, ingress_name;  // the Ingress that defined it
  BackendOptions options;

  std::string toString() const;  // "ns/service:port (ingress ns/name)"
};

struct Route {
  std::string path;  // as the Ingress wrote it
  PathType type = PathType::kPrefix;
  uint32_t backend = 0;  // Backend::id
  // What lookup compares: the path for Exact, the path without trailing '/' for Prefix ("" for
  // "/", which matches every path).
  std::string match_path;

  bool isExact() const { return type == PathType::kExact; }
};

// Which candidate set answered.
enum class HostMatch : uint8_t { kNone, kExact, kWildcard, kAnyHost, kDefaultBackend };

std::string_view toString(HostMatch match);

// A lookup's answer; points into the RouteTable, valid while the caller holds its Ptr.
struct RouteMatch {
  const Backend* backend = nullptr;  // null: no route (-> 404)
  const Route* route = nullptr;      // null for the default backend and for no route
  HostMatch host = HostMatch::kNone;

  explicit operator bool() const { return backend != nullptr; }
};

// A route (or default backend) dropped by the conflict rule.
struct RouteConflict {
  std::string host;  // "" for host-less rules
  std::string path;  // "" with default_backend
  PathType type = PathType::kPrefix;
  bool default_backend = false;
  std::string winner;  // "ns/name" of the Ingress whose route stays
  std::string loser;   // "ns/name" of the Ingress whose route was dropped

  bool operator==(const RouteConflict&) const = default;
  std::string toString() const;
};

class RouteTable {
 public:
  using Ptr = std::shared_ptr<const RouteTable>;

  // The table of `ingresses` (already selected by class; order does not matter). Conflicts go
  // to `conflicts` when given, sorted.
  static Ptr build(std::span<const IngressObject* const> ingresses,
                   std::vector<RouteConflict>* conflicts = nullptr);

  // The route for a request. `host` is the raw Host header or :authority (port and case are
  // handled here), `path` the request path; no allocation.
  RouteMatch match(std::string_view host, std::string_view path) const;

  std::span<const Backend> backends() const { return backends_; }
  const Backend* defaultBackend() const;
  size_t routeCount() const { return route_count_; }

  // A host's routes in match order, for diagnostics and tests: `host_key` is a lower-case
  // exact host, "*.parent" for a wildcard or "" for the host-less rules.
  std::span<const Route> routesFor(std::string_view host_key) const;
  // Every host key that has routes, sorted.
  std::vector<std::string> hostKeys() const;

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using HostMap = std::unordered_map<std::string, std::vector<Route>, StringHash, std::equal_to<>>;

  static const Route* matchPath(const std::vector<Route>& routes, std::string_view path);

  std::vector<Backend> backends_;
  HostMap exact_;
  HostMap wildcard_;  // keyed by the parent ("foo.com" for "*.foo.com")
  std::vector<Route> any_host_;
  uint32_t default_backend_ = UINT32_MAX;
  size_t route_count_ = 0;
};

}  // namespace ferry::ingress
